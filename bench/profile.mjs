/**
 * `npm run bench:profile`: where a training step's time goes, per workload, from V8's sampling
 * profiler (the inspector's Profiler domain, started after the warm-up so only timed steps
 * count). Self time is grouped by what the code does:
 *
 *   matrix products   the WebAssembly gemm (packing and micro-kernel), and the TypeScript gemm
 *   gate kernels      the per-step LSTM / GRU / RNN kernels, forward and backward
 *   waiting           the calling thread waiting for its worker threads (threads.js)
 *   optimiser         Adam's update and the non-finite guard before it
 *   loss              cross-entropy and log-softmax
 *   copies            moving arrays in and out of WebAssembly memory, permutes, typed-array set/fill
 *   autograd          the graph, shapes and tensors around the kernels
 *   garbage collector V8's collector
 *   other             everything else
 *
 *   npm run bench:profile                          char-small, gru-small, rnn-small, char-medium, large
 *   npm run bench:profile -- --only rnn-small --threads 2 --top 15
 *
 * It profiles the main thread only: with 2 threads a worker's share shows up as the caller's
 * waiting. Each workload runs in its own Node process on the current build (npm run build).
 */
import { execFileSync } from "node:child_process";
import { Session } from "node:inspector/promises";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(import.meta.url);
const DEFAULT = ["char-small", "gru-small", "rnn-small", "char-medium", "large"];
const PROFILE_MS = 3000;

/** A profile node's function name: the kernels' names come from their name section, "src/kernels/wasm/assembly/<file>/<fn>". */
function functionName(fn, url) {
  if (!url.startsWith("wasm://")) return fn || "(anonymous)";
  return `${fn.split("/").slice(-2).join(".")} (WebAssembly)`;
}

/** The category of a profile node from its function name and script. */
function category(fn, url) {
  const file = url.split("/").at(-1) ?? "";
  if (url.startsWith("wasm://")) {
    if (/^gemm\./.test(fn)) return "matrix products";
    if (/^(lstm|gru|rnn|math)\./.test(fn)) return "gate kernels";
    if (/^softmax\./.test(fn)) return "loss";
    return "other WebAssembly";
  }
  if (fn === "(garbage collector)") return "garbage collector";
  if (fn === "(program)" || fn === "(idle)" || fn === "(root)") return "other";
  if (file === "threads.js" || (file === "wasm.js" && /^(gemm|rows)$/.test(fn))) return "waiting";
  if (file === "gemm.js") return "matrix products";
  if (["lstm.js", "gru.js", "rnn.js", "gates.js", "step.js"].includes(file)) return "gate kernels";
  if (["adam.js", "optimizer.js", "finite.js", "sgd.js"].includes(file)) return "optimiser";
  if (["loss.js", "softmax.js"].includes(file)) return "loss";
  if (["backend.js", "recycle.js", "layout.js"].includes(file) || /^(set|fill|subarray|copyWithin|slice)$/.test(fn)) return "copies";
  if (file === "driver.js" && /permute|timeOrdered|carry|pass/i.test(fn)) return "copies";
  if (["tensor.js", "layer.js", "driver.js", "cell.js", "shape.js", "elementwise.js", "reduce.js", "index.js", "linear.js", "embedding.js", "matmul.js", "rows.js", "module.js"].includes(file)) return "autograd";
  return "other";
}

/** Self time per node (ms), from the profile's samples and their time deltas. */
function selfTimes(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let k = 0; k < profile.samples.length; k++) {
    const id = profile.samples[k];
    const dt = (profile.timeDeltas[k + 1] ?? 0) / 1000;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  return [...self].map(([id, ms]) => ({ node: byId.get(id), ms }));
}

async function child(name, threads, top) {
  const seqlab = await import("../dist/index.js");
  const used = await seqlab.setThreads(threads);
  if (used !== threads) throw new Error(`bench:profile: asked for ${threads} threads, got ${used}`);
  const { workloads } = await import("./workloads.mjs");
  const model = workloads[name].build();
  const warm = performance.now();
  while (performance.now() - warm < 1000) model.trainStep();
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  let steps = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < PROFILE_MS) {
    model.trainStep();
    steps++;
  }
  const elapsed = performance.now() - t0;
  const { profile } = await session.post("Profiler.stop");
  session.disconnect();
  const parts = selfTimes(profile);
  const total = parts.reduce((s, p) => s + p.ms, 0);
  const groups = {};
  const fns = new Map();
  for (const { node, ms } of parts) {
    const { url } = node.callFrame;
    const fn = functionName(node.callFrame.functionName, url);
    const cat = category(fn, url);
    groups[cat] = (groups[cat] ?? 0) + ms;
    const key = `${fn} ${url.split("/").at(-1) ?? ""}`;
    fns.set(key, (fns.get(key) ?? 0) + ms);
  }
  const share = Object.fromEntries(Object.entries(groups).sort((a, b) => b[1] - a[1]).map(([k, ms]) => [k, Number((100 * ms / total).toFixed(1))]));
  const topFns = [...fns].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, ms]) => [k, Number((100 * ms / total).toFixed(1))]);
  console.log(JSON.stringify({ workload: name, threads, msPerStep: Number((elapsed / steps).toFixed(2)), steps, share, top: topFns }));
}

function parse(argv) {
  const opts = { only: DEFAULT, threads: 1, top: 8, child: null, json: false };
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    const next = () => {
      if (argv[a + 1] === undefined) throw new Error(`bench:profile: ${arg} needs a value`);
      return argv[++a];
    };
    if (arg === "--only") opts.only = next().split(",").filter(Boolean);
    else if (arg === "--threads") opts.threads = Number(next());
    else if (arg === "--top") opts.top = Number(next());
    else if (arg === "--child") opts.child = next();
    else if (arg === "--json") opts.json = true;
    else throw new Error(`bench:profile: unknown argument ${arg} (use --only a,b --threads N --top N --json)`);
  }
  if (!Number.isInteger(opts.threads) || opts.threads < 1) throw new Error(`bench:profile: --threads needs a positive integer, got ${opts.threads}`);
  if (!Number.isInteger(opts.top) || opts.top < 0) throw new Error(`bench:profile: --top needs a count, got ${opts.top}`);
  return opts;
}

const opts = parse(process.argv.slice(2));
if (opts.child) {
  await child(opts.child, opts.threads, opts.top);
} else {
  const { workloads } = await import("./workloads.mjs");
  for (const n of opts.only) {
    if (!(n in workloads)) throw new Error(`bench:profile: unknown workload "${n}"; known: ${Object.keys(workloads).join(", ")}`);
  }
  for (const name of opts.only) {
    const out = execFileSync(process.execPath, [here, "--child", name, "--threads", String(opts.threads), "--top", String(opts.top)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const r = JSON.parse(out.trim().split("\n").at(-1));
    if (opts.json) {
      console.log(JSON.stringify(r));
      continue;
    }
    console.log(`\n${name}, ${r.threads} thread${r.threads > 1 ? "s" : ""}: ${r.msPerStep} ms a training step (${r.steps} steps profiled)`);
    for (const [k, pct] of Object.entries(r.share)) console.log(`  ${String(pct).padStart(5)} %  ${k}`);
    console.log("  top functions (self time):");
    for (const [k, pct] of r.top) console.log(`  ${String(pct).padStart(5)} %  ${k}`);
  }
}
