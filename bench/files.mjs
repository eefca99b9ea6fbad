/**
 * `npm run bench:files`: how long seqlab takes to read and write the char-LSTM of notebook 08
 * (notebooks/data/char-lstm.pt, trained in PyTorch) — load, save as safetensors and as "pt",
 * exportOnnx — and the same reads and writes by PyTorch (Debian's python3-torch, installed by
 * the bench's peer installer) on the same file, side by side. Median of repeated calls (timing.mjs).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_ITERATIONS, time } from "./timing.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const checkpoint = join(root, "notebooks", "data", "char-lstm.pt");
execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", join(root, "tsconfig.json")], { stdio: "inherit" });
const seqlab = await import(join(root, "dist", "index.js"));
const { RecurrentClassifier, load, save } = seqlab;
const { exportOnnx } = await import(join(root, "dist", "io", "onnx.js"));

const dir = mkdtempSync(join(tmpdir(), "seqlab-bench-files-"));
const sd = load(checkpoint);
const [vocabSize, inputSize] = sd["embed.weight"].shape;
const hiddenSize = sd["rnn.weight_hh_l0"].shape[1];
// embed → rnn → head: the children's names are the checkpoint's.
const model = new RecurrentClassifier({ kind: "lstm", vocabSize, inputSize, hiddenSize, numClasses: vocabSize, readout: "all" });
model.loadStateDict(sd);
const example = [[1, 2, 3, 4, 5, 6, 7, 8]];
const rows = [];
const row = (what, ms, bytes) => rows.push({ what, ms, bytes });
const n = DEFAULT_ITERATIONS;
row("load(char-lstm.pt)", time(() => load(checkpoint), n), statSync(checkpoint).size);
row("save(…, safetensors)", time(() => save(model.stateDict(), join(dir, "m.safetensors")), n), statSync(join(dir, "m.safetensors")).size);
row("load(.safetensors)", time(() => load(join(dir, "m.safetensors")), n), statSync(join(dir, "m.safetensors")).size);
row("save(…, { format: \"pt\" })", time(() => save(model.stateDict(), join(dir, "m.pt"), { format: "pt" }), n), statSync(join(dir, "m.pt")).size);
row("exportOnnx(…)", time(() => exportOnnx(model, example, join(dir, "m.onnx")), n), statSync(join(dir, "m.onnx")).size);

const python = `
import sys, time, statistics, torch
torch.set_num_threads(1)
path, out = sys.argv[1], sys.argv[2]
def med(fn, n=${n}):
    for _ in range(3): fn()
    xs = []
    t_end = time.perf_counter() + 1.0
    while len(xs) < n or time.perf_counter() < t_end:
        t0 = time.perf_counter(); fn(); xs.append((time.perf_counter() - t0) * 1000)
    return statistics.median(xs)
sd = torch.load(path)
print("torch.load", med(lambda: torch.load(path)))
print("torch.load weights_only", med(lambda: torch.load(path, weights_only=True)))
print("torch.save", med(lambda: torch.save(sd, out)))
`;
let peer = null;
try {
  peer = Object.fromEntries(execFileSync("/usr/bin/python3", ["-c", python, checkpoint, join(dir, "torch.pt")], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] })
    .trim().split("\n").map((l) => [l.slice(0, l.lastIndexOf(" ")), Number(l.slice(l.lastIndexOf(" ") + 1))]));
} catch (e) {
  console.error(`bench:files: PyTorch not measured (${String(e.message).split("\n")[0]}); \`node bench/install-peers.mjs\` installs Debian's python3-torch`);
}
rmSync(dir, { recursive: true, force: true });

const peerOf = { "load(char-lstm.pt)": "torch.load weights_only", "save(…, { format: \"pt\" })": "torch.save" };
console.log(`char-LSTM of notebook 08: ${Object.values(sd).reduce((a, t) => a + t.data.length, 0)} parameters, ${Object.keys(sd).length} tensors; median ms over ≥ ${n} calls (Node ${process.version})\n`);
console.log(`${"seqlab".padEnd(28)}${"ms".padStart(9)}${"bytes".padStart(10)}   PyTorch 1 thread (ms)   ratio`);
for (const r of rows) {
  const p = peer && peerOf[r.what] ? peer[peerOf[r.what]] : null;
  console.log(`${r.what.padEnd(28)}${r.ms.toFixed(2).padStart(9)}${String(r.bytes).padStart(10)}   ${p === null ? "".padEnd(21) : `${peerOf[r.what]} ${p.toFixed(2)}`.padEnd(21)}   ${p === null ? "" : `${(r.ms / p).toFixed(2)}×`}`);
}
if (peer) console.log(`\ntorch.load without weights_only (runs the pickle's globals): ${peer["torch.load"].toFixed(2)} ms`);
