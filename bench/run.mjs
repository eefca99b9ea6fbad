/**
 * `npm run bench`: median milliseconds per training step and per forward pass of seqlab's
 * recurrent models (float32, one thread), then a table against peers' reference figures.
 *
 *   npm run bench                         every workload
 *   npm run bench -- --only tiny,large    some of them
 *   npm run bench -- --iterations 50      timed iterations per workload (default 20)
 *   npm run bench -- --json               JSON lines only, no table
 *
 * It first rebuilds dist/ (as `npm run build`) so that it always measures the current source,
 * then runs each workload in its own Node process, so its peak RSS and JIT state are its own.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { barMisses, peers } from "./peers.mjs";

/** Warm-up: at least this many untimed calls and this many ms, so the JIT has optimised the hot loops. */
const WARMUP_CALLS = 2;
const WARMUP_MS = 500;
const DEFAULT_ITERATIONS = 20;
const here = fileURLToPath(import.meta.url);

function value(argv, a, flag) {
  if (argv[a] === undefined) throw new Error(`bench: ${flag} needs a value`);
  return argv[a];
}

function parseArgs(argv) {
  const opts = { only: null, iterations: null, json: false, child: null };
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    if (arg === "--json") opts.json = true;
    else if (arg === "--only") opts.only = value(argv, ++a, arg).split(",").map((s) => s.trim()).filter(Boolean);
    else if (arg === "--iterations") opts.iterations = Number(value(argv, ++a, arg));
    else if (arg === "--child") opts.child = value(argv, ++a, arg);
    else throw new Error(`bench: unknown argument ${arg} (use --only a,b --iterations N --json)`);
  }
  if (opts.iterations !== null && !(Number.isInteger(opts.iterations) && opts.iterations > 0)) {
    throw new Error(`bench: --iterations needs a positive integer, got ${opts.iterations}`);
  }
  return opts;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median ms of `fn` over n timed calls, after the warm-up. */
function time(fn, n) {
  const start = performance.now();
  for (let k = 0; k < WARMUP_CALLS || performance.now() - start < WARMUP_MS; k++) fn();
  const ms = [];
  for (let k = 0; k < n; k++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

/** Child process: measure one workload and print its JSON line. */
async function measure(name, requested) {
  const { workloads } = await import("./workloads.mjs");
  const w = workloads[name];
  const iterations = requested ?? w.iterations ?? DEFAULT_ITERATIONS;
  const model = w.build();
  const trainMs = time(model.trainStep, iterations);
  const forwardMs = time(model.forward, iterations);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  const round = (x, d) => Number(x.toFixed(d));
  console.log(JSON.stringify({
    workload: name, trainMs: round(trainMs, 3), forwardMs: round(forwardMs, 3), iterations, peakRssMB: round(peakRssMB, 1),
  }));
}

function fmtMs(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`;
}

function printTable(results, loadAtStart) {
  const peerList = Object.values(peers);
  const head = ["workload", "seqlab train", "seqlab fwd", "iters", ...peerList.flatMap((p) => [p.label, "ratio"])];
  const rows = results.map((r) => [
    r.workload, fmtMs(r.trainMs), fmtMs(r.forwardMs), String(r.iterations),
    ...peerList.flatMap((p) => {
      const ref = p.trainMs[r.workload] ?? null;
      return [fmtMs(ref), ref === null ? "—" : `${(r.trainMs / ref).toFixed(2)}×`];
    }),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c].length)));
  const line = (cells) => cells.map((s, c) => (c === 0 ? s.padEnd(widths[c]) : s.padStart(widths[c]))).join("  ");
  console.log();
  console.log(line(head));
  console.log(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of rows) console.log(line(row));
  console.log();
  console.log("Times are medians per training step (forward, cross-entropy at every step, backward, Adam)");
  console.log("and per forward pass (the same forward and loss under noGrad), float32, one thread.");
  console.log("ratio = seqlab train ÷ peer train: below 1 means seqlab is faster.");
  console.log("PEER NUMBERS ARE REFERENCE FIGURES recorded earlier on this machine kind, NOT measured in this run.");
  for (const r of results) {
    if (r.iterations < DEFAULT_ITERATIONS) console.log(`${r.workload}: only ${r.iterations} timed iterations (each step is slow).`);
  }
  const load = Math.max(loadAtStart, loadavg()[0]);
  if (load > availableParallelism()) {
    console.log(`WARNING: load average ${load.toFixed(1)} on ${availableParallelism()} cores: other processes competed for the CPU, so these times are inflated.`);
  }
  const misses = barMisses(results);
  console.log(`Bar (no workload slower than TensorFlow.js wasm; tiny ≥ 5× faster than PyTorch): ${misses.length ? "MISSED: " + misses.join("; ") : "met"}.`);
}

/** `npm run build`: type errors are reported but do not stop the bench while tsc still emits dist/. */
function build() {
  execFileSync(process.execPath, [fileURLToPath(new URL("../kernel/build-wasm.mjs", import.meta.url))], { stdio: ["ignore", "ignore", "inherit"] });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const project = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    console.error(`bench: the build reported errors (benchmarking what tsc emitted anyway):\n${err.stdout ?? err.message}`);
  }
  if (!existsSync(new URL("../dist/index.js", import.meta.url))) throw new Error("bench: the build did not produce dist/index.js");
}

const opts = parseArgs(process.argv.slice(2));
if (opts.child) {
  await measure(opts.child, opts.iterations);
} else {
  const loadAtStart = loadavg()[0];
  build();
  const { workloads } = await import("./workloads.mjs");
  const names = opts.only ?? Object.keys(workloads);
  for (const n of names) {
    if (!(n in workloads)) throw new Error(`bench: unknown workload "${n}"; known: ${Object.keys(workloads).join(", ")}`);
  }
  const results = [];
  for (const name of names) {
    const args = [here, "--child", name, ...(opts.iterations ? ["--iterations", String(opts.iterations)] : [])];
    const out = execFileSync(process.execPath, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const result = JSON.parse(out.trim().split("\n").at(-1));
    console.log(JSON.stringify(result));
    results.push(result);
  }
  if (!opts.json) printTable(results, loadAtStart);
}
