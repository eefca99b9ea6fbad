/**
 * What `npm run bench` compares against: peers' training-step times and the issue's bar.
 * (A later issue measures the peers live; until then these are fixed reference figures.)
 */

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

/** The bar: no workload slower than TensorFlow.js wasm, and tiny at least 5× faster than PyTorch. */
export function barMisses(results) {
  return results.flatMap((r) => {
    const wasm = peers.tfjsWasm.trainMs[r.workload] ?? null;
    const misses = [];
    if (wasm !== null && r.trainMs > wasm) misses.push(`${r.workload} is slower than TensorFlow.js wasm`);
    if (r.workload === "tiny" && r.trainMs > peers.pytorch.trainMs.tiny / 5) misses.push("tiny is not 5× faster than PyTorch");
    return misses;
  });
}
