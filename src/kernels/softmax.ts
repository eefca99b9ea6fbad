/**
 * Row-wise log-sum-exp and softmax, the two loops of cross-entropy (nn/loss.ts), on raw arrays.
 * Rows are "positions": element (i, c) of `count` positions with C classes sits at
 *   base(i) + c·S,   base(i) = ⌊i/S⌋·C·S + i mod S
 * (S = 1 for (N, C) logits; S > 1 for PyTorch's (N, C, d…) layout). float32 rows with S = 1
 * run on the WebAssembly kernels (assembly/softmax.ts) when that backend is active; the loops
 * here are the reference, in double precision.
 */
import type { TypedData } from "../tensor.js";
import { activeWasm, sizeThresholds } from "./backend.js";

/** Below this many logits, copying them into WebAssembly memory costs more than it saves. */
const WASM_MIN_LOGITS = 4096;

function wasmFor(count: number, C: number, S: number, x: TypedData) {
  if (S !== 1 || !(x instanceof Float32Array)) return null;
  if (sizeThresholds() && count * C < WASM_MIN_LOGITS) return null;
  return activeWasm();
}

/**
 * Per position i: rowMax[i] = max_c x[i, c] and logSum[i] = log Σ_c e^{x[i, c] − rowMax[i]}, so
 * that log Σ_c e^{x[i, c]} = rowMax[i] + logSum[i] without overflow. NaN in a row gives NaN.
 */
export function rowLogSumExp(count: number, C: number, S: number, x: TypedData, rowMax: Float64Array, logSum: Float64Array): void {
  const rt = wasmFor(count, C, S, x);
  if (rt) {
    rt.scope([count * C, count, count], () => {
      const xs = rt.copyIn(x, 0, count * C);
      const m = rt.alloc(count, false);
      const sums = rt.alloc(count, false);
      rt.exports.rowMaxSumExp(count, C, rt.addr(xs), rt.addr(m), rt.addr(sums));
      rowMax.set(m);
      for (let i = 0; i < count; i++) logSum[i] = Math.log(sums[i]!);
    });
    return;
  }
  for (let i = 0; i < count; i++) {
    const base = Math.floor(i / S) * C * S + (i % S);
    let max = -Infinity;
    for (let c = 0; c < C; c++) max = Math.max(max, x[base + c * S]!);
    let sumExp = 0;
    for (let c = 0; c < C; c++) sumExp += Math.exp(x[base + c * S]! - max);
    rowMax[i] = max;
    logSum[i] = Math.log(sumExp);
  }
}

/** out[i, c] = g[i] · e^{(x[i, c] − rowMax[i]) − logSum[i]}: each row's softmax, scaled by its g. */
export function scaledSoftmax(
  count: number, C: number, S: number, x: TypedData, rowMax: Float64Array, logSum: Float64Array, g: Float64Array, out: TypedData,
): void {
  const rt = wasmFor(count, C, S, x);
  if (rt) {
    rt.scope([count * C, count, count, count, count * C], () => {
      const xs = rt.copyIn(x, 0, count * C);
      const m = rt.alloc(count, false);
      m.set(rowMax);
      const l = rt.alloc(count, false);
      l.set(logSum);
      const gs = rt.alloc(count, false);
      gs.set(g);
      const o = rt.alloc(count * C, false);
      rt.exports.scaledSoftmax(count, C, rt.addr(xs), rt.addr(m), rt.addr(l), rt.addr(gs), rt.addr(o));
      out.set(o);
    });
    return;
  }
  for (let i = 0; i < count; i++) {
    const base = Math.floor(i / S) * C * S + (i % S);
    for (let c = 0; c < C; c++) out[base + c * S] = g[i]! * Math.exp(x[base + c * S]! - rowMax[i]! - logSum[i]!);
  }
}
