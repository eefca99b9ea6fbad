/**
 * Weight initialisation that `torch.nn.init` offers and the notebooks need.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { defaultGenerator, type Generator } from "../random.js";
import type { Tensor } from "../tensor.js";

/**
 * Fills a 2-D tensor in place with a random (semi-)orthogonal matrix times `gain`, as
 * `torch.nn.init.orthogonal_`: the rows (or, for a tall matrix, the columns) are orthonormal.
 * A square orthogonal matrix has every eigenvalue on the unit circle, so `gain` is exactly the
 * spectral radius: the factor by which the recurrence W_hh scales a state (and its gradient)
 * at every step before the nonlinearity. Built by Gram–Schmidt on a Gaussian matrix (PyTorch
 * uses a QR decomposition of one; the distribution is the same, the numbers are not).
 */
export function orthogonal_(t: Tensor, opts: { gain?: number; generator?: Generator } = {}): Tensor {
  if (t.ndim !== 2) throw new ShapeError(`orthogonal_: expected a 2-D tensor (rows, cols), got ${fmtShape(t.shape)}`);
  const gain = opts.gain ?? 1;
  const gen = opts.generator ?? defaultGenerator;
  const [R, C] = t.shape as [number, number];
  // Orthonormalise the shorter side: n vectors of length m.
  const n = Math.min(R, C);
  const m = Math.max(R, C);
  const v = Array.from({ length: n }, () => Float64Array.from({ length: m }, () => gen.normal()));
  for (let k = 0; k < n; k++) {
    const vk = v[k]!;
    for (let j = 0; j < k; j++) {
      let dot = 0;
      for (let q = 0; q < m; q++) dot += vk[q]! * v[j]![q]!;
      for (let q = 0; q < m; q++) vk[q]! -= dot * v[j]![q]!;
    }
    const norm = Math.hypot(...vk);
    for (let q = 0; q < m; q++) vk[q]! /= norm;
  }
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C; c++) t.data[r * C + c] = gain * (R <= C ? v[r]![c]! : v[c]![r]!);
  }
  return t;
}
