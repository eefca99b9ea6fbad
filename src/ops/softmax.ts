/**
 * softmax and logSoftmax along one dim, numerically stable.
 *
 * Both subtract the row maximum m first: softmax(x) = e^(x−m) / Σ e^(x−m) is the same value
 * but never overflows, and log Σ eˣ = m + log Σ e^(x−m). Backward, with y = softmax(x):
 *   softmax:     dx = y ⊙ (dy − Σ dy ⊙ y)
 *   logSoftmax:  dx = dy − y ⊙ Σ dy
 * (each Σ over the softmax dim).
 */
import { allocate, recordOp, Tensor } from "../tensor.js";
import { normalizeDim, splitAt } from "./layout.js";

/**
 * Calls `row(offset, stride)` for every 1-D line along `dim`: its elements sit at
 * offset, offset + stride, ..., offset + (n − 1)·stride.
 */
function forEachLine(shape: readonly number[], dim: number, row: (offset: number, stride: number, n: number) => void): void {
  const { outer, n, inner } = splitAt(shape, dim);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) row(o * n * inner + i, inner, n);
  }
}

function softmaxOp(name: string, a: Tensor, dim: number, takeLog: boolean): Tensor {
  const d = normalizeDim(dim, a.ndim, name, a.shape);
  const x = a.data;
  // y = softmax(x) is what both backward passes need, so keep it even for logSoftmax.
  const y = allocate(a.dtype, a.size);
  const out = new Tensor(takeLog ? allocate(a.dtype, a.size) : y, a.shape);
  forEachLine(a.shape, d, (at, stride, n) => {
    let m = -Infinity;
    for (let j = 0; j < n; j++) m = Math.max(m, x[at + j * stride]!);
    let total = 0;
    for (let j = 0; j < n; j++) total += Math.exp(x[at + j * stride]! - m);
    const logTotal = m + Math.log(total);
    for (let j = 0; j < n; j++) {
      const k = at + j * stride;
      y[k] = Math.exp(x[k]! - logTotal);
      if (takeLog) out.data[k] = x[k]! - logTotal;
    }
  });

  // y is out itself for softmax (and private for logSoftmax, which nobody else can write).
  recordOp(name, [a], [out], takeLog ? [] : [out], ([g]) => {
    const dy = g!;
    const dx = allocate(a.dtype, a.size);
    forEachLine(a.shape, d, (at, stride, n) => {
      let s = 0;
      for (let j = 0; j < n; j++) s += takeLog ? dy[at + j * stride]! : dy[at + j * stride]! * y[at + j * stride]!;
      for (let j = 0; j < n; j++) {
        const k = at + j * stride;
        dx[k] = takeLog ? dy[k]! - y[k]! * s : y[k]! * (dy[k]! - s);
      }
    });
    return [dx];
  });
  return out;
}

/** e^(x_i) / Σ_j e^(x_j) along `dim` (`torch.softmax`); negative `dim` counts from the end. */
export function softmax(a: Tensor, dim: number): Tensor {
  return softmaxOp("softmax", a, dim, false);
}

/**
 * log softmax(x) along `dim` (`torch.log_softmax`), computed as x − logΣexp(x) so that it
 * stays finite where softmax underflows to 0.
 */
export function logSoftmax(a: Tensor, dim: number): Tensor {
  return softmaxOp("logSoftmax", a, dim, true);
}
