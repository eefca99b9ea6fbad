/**
 * The benchmark's workloads in TensorFlow.js (tfjs-layers on the wasm backend, one thread, in
 * Node), timed like bench/run.mjs: warm-up of ≥2 calls and ≥500 ms, then the median of N calls.
 *
 *   node bench/peer-tfjs.mjs [--only a,b] [--iterations N]
 *
 * Prints a JSON line describing the run, then one JSON line per workload:
 * {"workload","trainMs","forwardMs","iterations","peakRssMB"}. All workloads run in this one
 * process (building TF.js models is slow), so peakRssMB is the process peak so far.
 *
 * The models are idiomatic TF.js rather than a transliteration of the PyTorch ones: a
 * tf.sequential of (embedding →) lstm/gru/simpleRNN with returnSequences → dense applied to the
 * 3-D output (so at every step), batch-major (B, T, ·) as Keras expects (same FLOPs as PyTorch's
 * time-major layout). Training is optimizer.minimize on tf.losses.softmaxCrossEntropy of the
 * logits against one-hot targets (mean over the B·T steps), Adam(1e-3). Differences that do not
 * change the FLOPs: one bias per gate instead of PyTorch's two, and GRU with resetAfter=false
 * (the only convention TF.js implements).
 */
import { register } from "node:module";
import * as tf from "@tensorflow/tfjs-core";
import * as tfl from "@tensorflow/tfjs-layers";
import * as wasm from "@tensorflow/tfjs-backend-wasm";
import { DEFAULT_ITERATIONS, time } from "./timing.mjs";

// tfjs-core's Node bundle has neither the gradients nor the chained tensor methods (x.flatten()
// and so on, which tfjs-layers calls): the @tensorflow/tfjs umbrella package bundles those two
// side-effect modules, and we do not depend on it. They exist only as extensionless ES modules in
// tfjs-core/dist, so a small loader hook lets Node import them (as ESM, adding ".js"). They register
// into tfjs's global registries (gradients, Tensor class), which all copies of tfjs-core share.
const coreDist = "/node_modules/@tensorflow/tfjs-core/dist/";
register("data:text/javascript," + encodeURIComponent(`
  const inCore = (url) => url?.includes(${JSON.stringify(coreDist)}) && !url.endsWith(".node.js");
  export async function resolve(spec, ctx, next) {
    if (inCore(ctx.parentURL) && spec.startsWith(".") && !spec.endsWith(".js")) {
      try { return await next(spec + ".js", ctx); } catch { return next(spec + "/index.js", ctx); }
    }
    return next(spec, ctx);
  }
  export async function load(url, ctx, next) {
    return inCore(url) ? { ...(await next(url, { ...ctx, format: "module" })), format: "module" } : next(url, ctx);
  }
`));
const coreDir = new URL(".", import.meta.resolve("@tensorflow/tfjs-core")); // .../tfjs-core/dist/
await import(new URL("register_all_gradients.js", coreDir).href);
await import(new URL("public/chained_ops/register_all_chained_ops.js", coreDir).href);

/** The same sizes as bench/workloads.mjs. */
const workloads = {
  tiny: { cell: "lstm", vocab: 4, inputSize: 4, hiddenSize: 8, T: 6, B: 1, input: "onehot" },
  "char-small": { cell: "lstm", vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" },
  "gru-small": { cell: "gru", vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" },
  "rnn-small": { cell: "simpleRNN", vocab: 65, inputSize: 32, hiddenSize: 128, T: 64, B: 32, input: "embedding" },
  "char-medium": { cell: "lstm", vocab: 65, inputSize: 32, hiddenSize: 256, numLayers: 2, T: 64, B: 32, input: "embedding" },
  large: { cell: "lstm", vocab: 65, inputSize: 512, hiddenSize: 512, T: 32, B: 64, input: "dense", iterations: 5 },
};

function parseArgs(argv) {
  const opts = { only: null, iterations: null };
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === "--only") opts.only = argv[++a].split(",").map((s) => s.trim()).filter(Boolean);
    else if (argv[a] === "--iterations") opts.iterations = Number(argv[++a]);
    else throw new Error(`peer-tfjs: unknown argument ${argv[a]} (use --only a,b --iterations N)`);
  }
  return opts;
}

/** Seeded ids in [0, V) so every run trains on the same data (a tiny LCG; quality is irrelevant). */
function randomIds(n, V, seed) {
  const ids = new Int32Array(n);
  let s = seed >>> 0;
  for (let k = 0; k < n; k++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    ids[k] = s % V;
  }
  return ids;
}

/**
 * The wasm backend lacks UnsortedSegmentSum, which the gradient of gather (so of the embedding
 * layer) needs; without it TF.js cannot train an embedding on wasm at all. This plain JS kernel
 * fills the gap: a scatter-add of (B·T) rows of 32 floats, negligible next to the recurrent layer.
 */
function registerSegmentSum() {
  tf.registerKernel({
    kernelName: "UnsortedSegmentSum",
    backendName: "wasm",
    kernelFunc({ inputs: { x, segmentIds }, attrs: { numSegments }, backend }) {
      const xs = backend.readSync(x.dataId);
      const ids = backend.readSync(segmentIds.dataId);
      const row = xs.length / ids.length;
      const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
      const o = backend.typedArrayFromHeap(out);
      o.fill(0);
      for (let k = 0; k < ids.length; k++) {
        for (let j = 0; j < row; j++) o[ids[k] * row + j] += xs[k * row + j];
      }
      return out;
    },
  });
}

function build({ cell, vocab, inputSize, hiddenSize, numLayers = 1, T, B, input }) {
  const model = tfl.sequential();
  let x;
  if (input === "embedding") {
    model.add(tfl.layers.embedding({ inputDim: vocab, outputDim: inputSize, inputShape: [T] }));
    x = tf.tensor2d(randomIds(B * T, vocab, 1), [B, T], "int32");
  } else if (input === "onehot") {
    x = tf.cast(tf.oneHot(tf.tensor2d(randomIds(B * T, vocab, 1), [B, T], "int32"), vocab), "float32");
  } else {
    x = tf.randomNormal([B, T, inputSize], 0, 1, "float32", 1);
  }
  for (let l = 0; l < numLayers; l++) {
    const first = l === 0 && input !== "embedding";
    model.add(tfl.layers[cell]({ units: hiddenSize, returnSequences: true, ...(first ? { inputShape: [T, inputSize] } : {}) }));
  }
  model.add(tfl.layers.dense({ units: vocab })); // applied to (B, T, H): a readout at every step
  const targets = tf.oneHot(tf.tensor2d(randomIds(B * T, vocab, 2), [B, T], "int32"), vocab);
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableWeights.map((w) => w.read());
  const loss = (training) => tf.losses.softmaxCrossEntropy(targets, model.apply(x, { training }));
  return {
    trainStep() {
      const cost = optimizer.minimize(() => loss(true), true, vars);
      const value = cost.dataSync()[0]; // wait for the result, as seqlab's l.item() does
      cost.dispose();
      return value;
    },
    forward() {
      return tf.tidy(() => loss(false).dataSync()[0]);
    },
  };
}

const opts = parseArgs(process.argv.slice(2));
const names = opts.only ?? Object.keys(workloads);
const unknown = names.filter((n) => !(n in workloads));
if (unknown.length) {
  console.error(`peer-tfjs: unknown workload ${unknown.join(", ")}; known: ${Object.keys(workloads).join(", ")}`);
  process.exit(1);
}
// One thread, like every other column of the bench (in Node the wasm backend has no threads
// anyway: WASM_HAS_MULTITHREAD_SUPPORT is false there, reported below).
wasm.setThreadsCount?.(1);
await tf.setBackend("wasm");
await tf.ready();
const addedSegmentSum = !tf.getKernel("UnsortedSegmentSum", "wasm");
if (addedSegmentSum) registerSegmentSum();
const flag = async (name) => { try { return await tf.env().getAsync(name); } catch { return null; } };
console.log(JSON.stringify({
  peer: "tfjs-wasm",
  tfjs: tf.version_core,
  backend: tf.getBackend(),
  threads: wasm.getThreadsCount?.() ?? null,
  WASM_HAS_SIMD_SUPPORT: await flag("WASM_HAS_SIMD_SUPPORT"),
  WASM_HAS_MULTITHREAD_SUPPORT: await flag("WASM_HAS_MULTITHREAD_SUPPORT"),
  training: "optimizer.minimize",
  note: addedSegmentSum ? "UnsortedSegmentSum (embedding gradient) is missing in the wasm backend: a JS kernel was added" : undefined,
  node: process.version,
}));

for (const name of names) {
  const w = workloads[name];
  const iterations = opts.iterations ?? w.iterations ?? DEFAULT_ITERATIONS;
  const model = build(w);
  const trainMs = time(model.trainStep, iterations);
  const forwardMs = time(model.forward, iterations);
  const round = (v, d) => Number(v.toFixed(d));
  console.log(JSON.stringify({
    workload: name, trainMs: round(trainMs, 3), forwardMs: round(forwardMs, 3), iterations,
    peakRssMB: round(process.resourceUsage().maxRSS / 1024, 1),
  }));
}
