/**
 * What `npm run bench` compares against: peers' training-step times.
 *
 *   peers               fixed reference figures, used when the peers are not measured
 *   measurePeers(names) measures the peers live, each workload in its own child process:
 *     pytorch-avx2    Debian's PyTorch 1.13 on OpenBLAS with its AVX2 kernel (OPENBLAS_CORETYPE=Haswell)
 *     pytorch-avx512  the same with its AVX-512 kernel (OPENBLAS_CORETYPE=SkylakeX)
 *     tfjs-wasm       TensorFlow.js (tfjs-layers) on the wasm backend in Node
 *
 *   node bench/peers.mjs [--only a,b] [--iterations N]   measure and print the JSON
 */
import { execFile, execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { fileURLToPath } from "node:url";

/**
 * Peers' training-step times on this machine kind, in ms (null = unknown). NOT measured by
 * this run: they are reference figures, recorded once with each peer's own script.
 */
export const peers = {
  pytorch: {
    label: "PyTorch 1.13 (OpenBLAS, 1 thread)",
    trainMs: { tiny: 0.48, "char-small": 17, "gru-small": 13, "rnn-small": 4.9, "char-medium": 95, large: 150 },
  },
  tfjsWasm: {
    label: "TensorFlow.js wasm",
    trainMs: { tiny: 2.2, "char-small": 400, "gru-small": null, "rnn-small": null, "char-medium": null, large: 12000 },
  },
};

const benchDir = fileURLToPath(new URL(".", import.meta.url));
// Debian's interpreter, where python3-torch lives (a python3 earlier on PATH, e.g. pyenv's, has no torch).
const PYTHON = "/usr/bin/python3";
const CHILD_TIMEOUT_MS = 20 * 60 * 1000; // TF.js "large": ~10 s a step, ≥2 warm-up + 5 timed, twice

/** The PyTorch peers: fast enough to measure in every round of the bench (TF.js runs once). */
export const PYTORCH_PEERS = ["pytorch-avx2", "pytorch-avx512"];

/** How to run each peer. OPENBLAS_CORETYPE is always set explicitly: the machine may preset it. */
const peerRuns = {
  "pytorch-avx2": { command: [PYTHON, `${benchDir}peer-pytorch.py`], coretype: "Haswell", kernel: "AVX2" },
  "pytorch-avx512": { command: [PYTHON, `${benchDir}peer-pytorch.py`], coretype: "SkylakeX", kernel: "AVX-512" },
  "tfjs-wasm": { command: [process.execPath, `${benchDir}peer-tfjs.mjs`] },
};

/** The environment of a peer child: one thread everywhere, OpenBLAS's tuning taken from us, not the machine. */
function peerEnv(coretype) {
  const env = { ...process.env, OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" };
  // A preset OPENBLAS_L2_SIZE overrides the cache size OpenBLAS detects and so its blocking: drop it.
  delete env.OPENBLAS_L2_SIZE;
  delete env.OPENBLAS_CORETYPE;
  if (coretype) env.OPENBLAS_CORETYPE = coretype;
  return env;
}

function run([file, ...args], env) {
  return new Promise((resolve) => {
    execFile(file, args, { env, encoding: "utf8", timeout: CHILD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      resolve({ err, stdout, stderr }));
  });
}

function label(id, info) {
  if (id === "tfjs-wasm") return `TensorFlow.js ${info.tfjs ?? "?"} wasm${info.WASM_HAS_SIMD_SUPPORT ? " SIMD" : ""}, 1 thread`;
  return `PyTorch ${info.torch ?? "?"} + OpenBLAS ${info.openblasCore ?? "?"} (${peerRuns[id].kernel}), 1 thread`;
}

/** One peer over the workloads, one child process each (own peak RSS, own warm-up), one at a time. */
async function measurePeer(id, names, iterations, installProblem) {
  const spec = peerRuns[id];
  if (spec.coretype && installProblem) return { label: id, error: `not installed: ${installProblem}` };
  const env = peerEnv(spec.coretype);
  let info = null;
  const results = {};
  const errors = [];
  for (const name of names) {
    const args = ["--only", name, ...(iterations ? ["--iterations", String(iterations)] : [])];
    const { err, stdout, stderr } = await run([...spec.command, ...args], env);
    const lines = stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const result = lines.find((l) => l.workload === name);
    info ??= lines.find((l) => l.peer) ?? null;
    if (err || !result) {
      // The child's own error line, not Node's trailing "Node.js v20…" or a stack frame.
      const lines = stderr.split("\n").map((l) => l.trim()).filter(Boolean);
      const why = err?.killed ? `timed out after ${CHILD_TIMEOUT_MS / 60000} min`
        : lines.findLast((l) => /error|unknown/i.test(l) && !l.startsWith("at ")) ?? lines.at(-1) ?? err?.message ?? "no result";
      errors.push(`${name}: ${why}`);
      continue;
    }
    const { trainMs, forwardMs, peakRssMB } = result;
    results[name] = { trainMs, forwardMs, peakRssMB };
    console.error(`peers: ${id} ${JSON.stringify(result)}`);
  }
  const out = { label: label(id, info ?? {}), info };
  if (info && process.env.OPENBLAS_L2_SIZE !== undefined && spec.coretype) info.unsetEnv = `OPENBLAS_L2_SIZE=${process.env.OPENBLAS_L2_SIZE}`;
  if (info && spec.coretype && info.openblasCore !== spec.coretype) {
    info.warning = `asked OpenBLAS for ${spec.coretype}, it used ${info.openblasCore}`;
  }
  if (Object.keys(results).length) out.results = results;
  if (errors.length) out.error = errors.join("; ");
  return out;
}

let installed; // undefined until checked; then null (ready) or what went wrong

/**
 * Installs the Python peer (bench/install-peers.mjs) once per process: the bench asks in every
 * round. Returns null when ready, else the problem.
 */
function installPython() {
  if (installed !== undefined) return installed;
  try {
    // Its output (apt-get's, when it installs) goes to our stderr: stdout is kept for results.
    execFileSync(process.execPath, [`${benchDir}install-peers.mjs`], { stdio: ["inherit", 2, "inherit"] });
    installed = null;
  } catch (err) {
    installed = `bench/install-peers.mjs failed (exit ${err.status ?? err.message})`;
  }
  return installed;
}

/**
 * Measures the peers on the named workloads, live: { [peerId]: { label, info, results, error? } },
 * results: { [workload]: { trainMs, forwardMs, peakRssMB } }. Installs the Python peer first
 * (bench/install-peers.mjs). A peer that fails carries an `error` string; the others still run.
 * `only`: the ids of the peers to run (default: all).
 */
export async function measurePeers(names, { iterations, only } = {}) {
  const ids = Object.keys(peerRuns).filter((id) => !only || only.includes(id));
  const installProblem = ids.some((id) => peerRuns[id].coretype) ? installPython() : null;
  const measured = {};
  for (const id of ids) {
    const loadBefore = loadavg()[0];
    measured[id] = await measurePeer(id, names, iterations, installProblem);
    if (measured[id].info) measured[id].info.loadavg1 = [loadBefore, loadavg()[0]].map((x) => Number(x.toFixed(2)));
  }
  return measured;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  let names = null;
  let iterations;
  for (let a = 0; a < argv.length; a++) {
    if (argv[a] === "--only") names = argv[++a].split(",").map((s) => s.trim()).filter(Boolean);
    else if (argv[a] === "--iterations") iterations = Number(argv[++a]);
    else throw new Error(`peers: unknown argument ${argv[a]} (use --only a,b --iterations N)`);
  }
  if (iterations !== undefined && !(Number.isInteger(iterations) && iterations > 0)) {
    throw new Error(`peers: --iterations needs a positive integer, got ${iterations}`);
  }
  // workloads.mjs imports dist/ (run `npm run build` first); only its names are needed here.
  names ??= Object.keys((await import("./workloads.mjs")).workloads);
  console.log(JSON.stringify(await measurePeers(names, { iterations }), null, 2));
}
