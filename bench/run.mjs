/**
 * `npm run bench`: median milliseconds per training step and per forward pass of seqlab's
 * recurrent models (float32), the machine's WebAssembly SIMD peak, and a table against peers.
 *
 *   npm run bench                         every workload (1 thread; char-medium and large also 2)
 *   npm run bench -- --peers              and PyTorch + TensorFlow.js measured live, side by side
 *   npm run bench -- --only tiny,large    some of them
 *   npm run bench -- --threads 1,2        thread counts for every workload
 *   npm run bench -- --backend js         the TypeScript reference kernels (default: auto)
 *   npm run bench -- --iterations 50      timed iterations per workload (default 20)
 *   npm run bench -- --rounds 5           rounds per workload, best kept (default 3 with --peers, else 1)
 *   npm run bench -- --no-reference       skip the same-run comparison with the TypeScript kernels
 *   npm run bench -- --json               JSON lines only, no table
 *
 * It first rebuilds dist/ (as `npm run build`) so that it always measures the current source,
 * then runs each measurement in its own Node process, so its peak RSS and JIT state are its own.
 * Without --peers the peer columns are the reference figures in peers.mjs, and say so.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { availableParallelism, cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { measurePeers, peers, PYTORCH_PEERS } from "./peers.mjs";
import { DEFAULT_ITERATIONS, time } from "./timing.mjs";

const here = fileURLToPath(import.meta.url);

/**
 * The same-run reference: in one child process per workload, training steps on the default
 * backend and on the TypeScript kernels (SEQLAB_BACKEND=js's kernels, via setBackend) take turns,
 * and the default must be no slower. Taking turns in one process, rather than timing each in its
 * own, keeps this machine's drift out of the comparison (two processes a minute apart differed by
 * 1.5× on tiny). It replaces a comparison with absolute times recorded on another machine, which
 * said nothing about this one.
 */
const REFERENCE_TOLERANCE = 1.1;
/** The reference child alternates for at least this long, and at least REFERENCE_PAIRS pairs of steps. */
const REFERENCE_MS = 3000;
const REFERENCE_PAIRS = 3;

function value(argv, a, flag) {
  if (argv[a] === undefined) throw new Error(`bench: ${flag} needs a value`);
  return argv[a];
}

function parseArgs(argv) {
  const opts = { only: null, iterations: null, json: false, child: null, threads: null, backend: "auto", peers: false, rounds: null, reference: true, childReference: null };
  for (let a = 0; a < argv.length; a++) {
    const arg = argv[a];
    if (arg === "--json") opts.json = true;
    else if (arg === "--peers") opts.peers = true;
    else if (arg === "--only") opts.only = value(argv, ++a, arg).split(",").map((s) => s.trim()).filter(Boolean);
    else if (arg === "--iterations") opts.iterations = Number(value(argv, ++a, arg));
    else if (arg === "--threads") opts.threads = value(argv, ++a, arg).split(",").map(Number);
    else if (arg === "--backend") opts.backend = value(argv, ++a, arg);
    else if (arg === "--child") opts.child = value(argv, ++a, arg);
    else if (arg === "--child-reference") opts.childReference = value(argv, ++a, arg);
    else if (arg === "--rounds") opts.rounds = Number(value(argv, ++a, arg));
    else if (arg === "--no-reference") opts.reference = false;
    else throw new Error(`bench: unknown argument ${arg} (use --peers --only a,b --threads 1,2 --backend auto|wasm|js --iterations N --rounds N --no-reference --json)`);
  }
  if (opts.iterations !== null && !(Number.isInteger(opts.iterations) && opts.iterations > 0)) {
    throw new Error(`bench: --iterations needs a positive integer, got ${opts.iterations}`);
  }
  if (opts.rounds !== null && !(Number.isInteger(opts.rounds) && opts.rounds > 0)) {
    throw new Error(`bench: --rounds needs a positive integer, got ${opts.rounds}`);
  }
  opts.rounds ??= opts.peers ? 3 : 1;
  if (opts.threads && !opts.threads.every((t) => Number.isInteger(t) && t >= 1)) {
    throw new Error(`bench: --threads needs positive integers, got ${opts.threads.join(",")}`);
  }
  if (!["auto", "wasm", "js"].includes(opts.backend)) throw new Error(`bench: --backend is auto, wasm or js, got ${opts.backend}`);
  return opts;
}

const round = (x, d) => Number(x.toFixed(d));

/** Child process: the machine's WebAssembly SIMD multiply-add peak, GFLOP/s (best of several runs, after warm-up). */
async function measurePeak() {
  const { wasmRuntime } = await import("../dist/kernels/wasm.js");
  const rt = wasmRuntime();
  if (!rt) throw new Error("bench: the WebAssembly kernels did not load");
  // Small calls first, so the engine's optimising compiler has compiled the loop.
  for (let k = 0; k < 200; k++) rt.exports.peakMulAdd(2000, 1, 0);
  let best = 0;
  for (let k = 0; k < 7; k++) {
    const iters = 2e7;
    const t0 = performance.now();
    rt.exports.peakMulAdd(iters, 1, 0);
    best = Math.max(best, (iters * 256) / ((performance.now() - t0) * 1e6));
  }
  console.log(JSON.stringify({ peakGflops: round(best, 1) }));
}

/** Child process: measure one workload on `threads` threads and print its JSON line. */
async function measure(name, requested, threads) {
  const seqlab = await import("../dist/index.js");
  const used = await seqlab.setThreads(threads);
  if (used !== threads) throw new Error(`bench: asked for ${threads} threads, got ${used}`);
  const { workloads } = await import("./workloads.mjs");
  const w = workloads[name];
  const iterations = requested ?? w.iterations ?? DEFAULT_ITERATIONS;
  const model = w.build();
  const trainMs = time(model.trainStep, iterations);
  const forwardMs = time(model.forward, iterations);
  const peakRssMB = process.resourceUsage().maxRSS / 1024;
  // A product that found no room in a time loop's declared workspace ran in TypeScript instead.
  const { wasmRuntime } = await import("../dist/kernels/wasm.js");
  const fallbacks = wasmRuntime()?.fallbacks ?? 0;
  if (fallbacks > 0) console.error(`WARNING: ${name}: ${fallbacks} matrix products fell back to TypeScript for lack of declared WebAssembly room (a workspace declaration in src/nn/recurrent/driver.ts is short)`);
  console.log(JSON.stringify({
    workload: name, threads, backend: seqlab.getBackend(), wasm: seqlab.usingWasm(),
    trainMs: round(trainMs, 3), forwardMs: round(forwardMs, 3),
    forwardGflops: round((2 * w.forwardMacs) / (forwardMs * 1e6), 1), iterations, peakRssMB: round(peakRssMB, 1), fallbacks,
  }));
}

/** Child process: the default backend and the TypeScript kernels in turns on one model; prints both medians. */
async function measureReference(name) {
  const seqlab = await import("../dist/index.js");
  const { workloads } = await import("./workloads.mjs");
  const model = workloads[name].build();
  const backends = [seqlab.getBackend(), "js"];
  const ms = [[], []];
  // One step of each first (warm-up), then bursts of ~20 ms so a fast workload's timer is not noise.
  const burst = [1, 1];
  for (let b = 0; b < 2; b++) {
    seqlab.setBackend(backends[b]);
    const t0 = performance.now();
    model.trainStep();
    burst[b] = Math.max(1, Math.round(20 / Math.max(performance.now() - t0, 1e-3)));
  }
  const start = performance.now();
  while (ms[1].length < REFERENCE_PAIRS || performance.now() - start < REFERENCE_MS) {
    for (let b = 0; b < 2; b++) {
      seqlab.setBackend(backends[b]);
      const t0 = performance.now();
      for (let k = 0; k < burst[b]; k++) model.trainStep();
      ms[b].push((performance.now() - t0) / burst[b]);
    }
  }
  const { median } = await import("./timing.mjs");
  console.log(JSON.stringify({ reference: name, backend: backends[0], trainMs: round(median(ms[0]), 3), jsTrainMs: round(median(ms[1]), 3), pairs: ms[1].length }));
}

function fmtMs(ms) {
  if (ms === null || ms === undefined) return "—";
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : ms >= 10 ? `${ms.toFixed(1)} ms` : `${ms.toFixed(3)} ms`;
}

/** Peer columns: measured live ({ id: { label, results } }) or the reference figures, marked as such. */
function peerColumns(measured) {
  if (measured) {
    return Object.entries(measured).map(([id, p]) => ({ id, label: p.label, error: p.error ?? null, trainMs: (w) => p.results?.[w]?.trainMs ?? null, live: true }));
  }
  return Object.entries(peers).map(([id, p]) => ({ id, label: `${p.label} (reference figure)`, error: null, trainMs: (w) => p.trainMs[w] ?? null, live: false }));
}

/**
 * The bars of the speed issue (the second round), each { bar, ok, figure }; PyTorch's time is
 * the faster of its measured kernels, on one thread.
 */
function bars(results, columns, reference) {
  const torchCols = columns.filter((c) => c.id.startsWith("pytorch"));
  const torch = (w) => {
    const ts = torchCols.map((c) => c.trainMs(w)).filter((t) => t !== null);
    return ts.length ? Math.min(...ts) : null;
  };
  const at = (w, threads) => results.find((r) => r.workload === w && r.threads === threads);
  const out = [];
  const ratioBar = (w, threads, limit) => {
    const r = at(w, threads), t = torch(w);
    if (!r || t === null) return;
    const ratio = r.trainMs / t;
    out.push({ bar: `${w}${threads > 1 ? ` with ${threads} threads` : ", 1 thread"} ≤ ${limit}× PyTorch`, ok: ratio <= limit, figure: `${ratio.toFixed(2)}× (${fmtMs(r.trainMs)} vs ${fmtMs(t)})` });
  };
  const tiny = at("tiny", 1);
  if (tiny && torch("tiny") !== null) {
    const x = torch("tiny") / tiny.trainMs;
    out.push({ bar: "tiny ≥ 15× faster than PyTorch", ok: x >= 15, figure: `${x.toFixed(1)}× faster` });
  }
  for (const w of ["char-small", "gru-small", "rnn-small"]) ratioBar(w, 1, 1.2);
  ratioBar("char-medium", 1, 1.7);
  ratioBar("char-medium", 2, 1.2);
  ratioBar("large", 1, 2.5);
  ratioBar("large", 2, 1.5);
  for (const w of ["char-medium", "large"]) {
    const one = at(w, 1), two = at(w, 2);
    if (one && two) {
      const x = one.trainMs / two.trainMs;
      out.push({ bar: `${w}: 2 threads ≥ 1.7× faster than 1`, ok: x >= 1.7, figure: `${x.toFixed(2)}×` });
    }
  }
  if (reference.size > 0) {
    const all = [...reference.values()];
    const slower = all.filter((r) => r.trainMs > REFERENCE_TOLERANCE * r.jsTrainMs);
    out.push({
      bar: `no workload slower than on the TypeScript kernels, in turns in one process (within ${REFERENCE_TOLERANCE}×)`,
      ok: slower.length === 0,
      figure: slower.length
        ? slower.map((r) => `${r.reference} ${fmtMs(r.trainMs)} > ${fmtMs(r.jsTrainMs)}`).join(", ")
        : `faster by ${all.map((r) => `${r.reference} ${(r.jsTrainMs / r.trainMs).toFixed(1)}×`).join(", ")}`,
    });
  }
  return out;
}

function printTable(results, columns, peak, loadAtStart, iterationsAsked, rounds, reference) {
  const head = ["workload", "threads", "seqlab train", "train % peak", "seqlab fwd", "fwd GFLOP/s", "peak RSS", ...columns.flatMap((c) => [c.id, "ratio"])];
  // A training step does three times the forward pass's products (forward, dx and dW).
  const trainShare = (r) => (peak ? `${Math.round((100 * 3 * r.forwardGflops * r.forwardMs) / r.trainMs / (peak * r.threads))} %` : "—");
  const rows = results.map((r) => [
    r.workload, String(r.threads), fmtMs(r.trainMs), trainShare(r), fmtMs(r.forwardMs), String(r.forwardGflops), `${Math.round(r.peakRssMB)} MB`,
    ...columns.flatMap((c) => {
      const ref = c.trainMs(r.workload);
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
  console.log("and per forward pass (the same forward and loss under noGrad), float32. ratio = seqlab ÷ peer: below 1 is faster.");
  console.log("train % peak: the step's matrix-product arithmetic (3× the forward pass's) per second, against the SIMD peak times the threads.");
  if (reference.size > 0) console.log(`In turns with the TypeScript kernels (1 thread, one process each): ${[...reference.values()].map((r) => `${r.reference} ${fmtMs(r.trainMs)} vs ${fmtMs(r.jsTrainMs)}`).join(", ")}.`);
  if (rounds > 1) console.log(`Best of ${rounds} rounds per workload, alternating seqlab and PyTorch (TensorFlow.js: one run).`);
  for (const c of columns) console.log(`${c.id}: ${c.label}${c.error ? ` — ERROR: ${c.error}` : ""}`);
  if (!columns.some((c) => c.live)) console.log("PEER NUMBERS ARE REFERENCE FIGURES recorded earlier on this machine kind, NOT measured in this run (use --peers).");
  console.log(`CPU: ${cpus()[0]?.model ?? "?"}, ${availableParallelism()} cores. WebAssembly SIMD peak (f32x4 multiply-add loop, 1 thread): ${peak ?? "?"} GFLOP/s.`);
  for (const r of results) {
    if (!iterationsAsked && r.iterations < DEFAULT_ITERATIONS) console.log(`${r.workload}: only ${r.iterations} timed iterations (each step is slow).`);
  }
  const load = Math.max(loadAtStart, loadavg()[0]);
  if (load > availableParallelism()) {
    console.log(`WARNING: load average ${load.toFixed(1)} on ${availableParallelism()} cores: other processes competed for the CPU, so these times are inflated.`);
  }
  console.log();
  for (const b of bars(results, columns, reference)) console.log(`${b.ok ? "met   " : "MISSED"}  ${b.bar}: ${b.figure}`);
}

/** `npm run build`: type errors are reported but do not stop the bench while tsc still emits dist/. */
function build() {
  execFileSync(process.execPath, [fileURLToPath(new URL("../src/kernels/wasm/build-wasm.mjs", import.meta.url))], { stdio: ["ignore", "ignore", "inherit"] });
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const project = fileURLToPath(new URL("../tsconfig.json", import.meta.url));
  try {
    execFileSync(process.execPath, [tsc, "-p", project], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch (err) {
    console.error(`bench: the build reported errors (benchmarking what tsc emitted anyway):\n${err.stdout ?? err.message}`);
  }
  if (!existsSync(new URL("../dist/index.js", import.meta.url))) throw new Error("bench: the build did not produce dist/index.js");
}

/**
 * The better of two measurements of the same thing (either may be undefined): the lower
 * times, the higher throughput, and the higher peak memory (the cautious figure).
 */
function best(a, b) {
  if (!a || !b) return a ?? b;
  const out = { ...a, trainMs: Math.min(a.trainMs, b.trainMs), forwardMs: Math.min(a.forwardMs, b.forwardMs), peakRssMB: Math.max(a.peakRssMB, b.peakRssMB) };
  if (a.forwardGflops !== undefined) out.forwardGflops = Math.max(a.forwardGflops, b.forwardGflops);
  return out;
}

/** Adds one workload's peer measurements into the running collection (same shape as measurePeers' result), keeping the best. */
function mergePeers(into, workload, one) {
  for (const [id, p] of Object.entries(one)) {
    const entry = (into[id] ??= { label: p.label, info: p.info, results: {} });
    entry.results[workload] = best(entry.results[workload], p.results?.[workload]);
    if (!entry.results[workload]) delete entry.results[workload];
    if (p.error) entry.error = entry.error ? `${entry.error}; ${p.error}` : p.error;
  }
}

function child(args, backend) {
  const out = execFileSync(process.execPath, [here, ...args], {
    encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SEQLAB_BACKEND: backend },
  });
  return JSON.parse(out.trim().split("\n").at(-1));
}

const opts = parseArgs(process.argv.slice(2));
if (opts.childReference) {
  await measureReference(opts.childReference);
} else if (opts.child === "peak") {
  await measurePeak();
} else if (opts.child) {
  await measure(opts.child, opts.iterations, opts.threads?.[0] ?? 1);
} else {
  const loadAtStart = loadavg()[0];
  build();
  const { workloads } = await import("./workloads.mjs");
  const names = opts.only ?? Object.keys(workloads);
  for (const n of names) {
    if (!(n in workloads)) throw new Error(`bench: unknown workload "${n}"; known: ${Object.keys(workloads).join(", ")}`);
  }
  const { peakGflops } = child(["--child", "peak"], opts.backend);
  if (!opts.json) console.log(`WebAssembly SIMD peak: ${peakGflops} GFLOP/s`);
  // This machine's speed drifts, by up to 2× for minutes at a time. So each workload runs in
  // rounds that alternate seqlab and PyTorch, and each side keeps its best round: a slow phase
  // then has to cover all of one side's rounds and none of the other's to bias a ratio.
  // TensorFlow.js, minutes per workload, runs once after the rounds.
  const results = [];
  const reference = new Map();
  const measured = opts.peers ? {} : null;
  const peerOpts = { iterations: opts.iterations ?? undefined };
  for (const name of names) {
    const counts = opts.threads ?? (workloads[name].threaded ? [1, 2] : [1]);
    const kept = new Map();
    for (let r = 0; r < opts.rounds; r++) {
      for (const threads of counts) {
        const args = ["--child", name, "--threads", String(threads), ...(opts.iterations ? ["--iterations", String(opts.iterations)] : [])];
        const result = child(args, opts.backend);
        console.log(JSON.stringify({ round: r + 1, ...result }));
        kept.set(threads, best(kept.get(threads), result));
      }
      if (measured) mergePeers(measured, name, await measurePeers([name], { ...peerOpts, only: PYTORCH_PEERS }));
    }
    results.push(...kept.values());
    if (opts.reference && opts.backend !== "js") {
      const ref = child(["--child-reference", name], opts.backend);
      console.log(JSON.stringify(ref));
      reference.set(name, ref);
    }
    if (measured) mergePeers(measured, name, await measurePeers([name], { ...peerOpts, only: ["tfjs-wasm"] }));
  }
  if (measured) console.log(JSON.stringify({ peers: measured }));
  if (!opts.json) printTable(results, peerColumns(measured), peakGflops, loadAtStart, opts.iterations !== null, opts.rounds, reference);
}
