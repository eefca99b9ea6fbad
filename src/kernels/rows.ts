/**
 * Row-wise helpers of the time loops (biases), on raw arrays: the TypeScript references of
 * assembly/rows.ts, which run instead when both arrays are in WebAssembly memory and N is a
 * multiple of 4.
 */
import type { TypedData } from "../tensor.js";
import { activeWasm } from "./backend.js";
import type { WasmRuntime } from "./wasm.js";

/** The runtime when both arrays are views of its memory and rows of N values suit its kernels. */
function wasmFor(N: number, dst: TypedData, src: TypedData): WasmRuntime | null {
  if (N % 4 !== 0 || !(dst instanceof Float32Array)) return null;
  const rt = activeWasm();
  return rt && rt.holds(dst) && rt.holds(src) ? rt : null;
}

/** Adds the column sums of the (B, N) block of `src` at `off` into `dst` (a bias gradient). */
export function addColumnSums(B: number, N: number, src: TypedData, off: number, dst: TypedData, dstOff = 0): void {
  const rt = wasmFor(N, dst, src);
  if (rt) {
    rt.exports.addColumnSums(B, N, rt.addr(src, off), rt.addr(dst, dstOff));
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = off + b * N;
    for (let j = 0; j < N; j++) dst[dstOff + j]! += src[row + j]!;
  }
}

/** Adds bias[biasOff … biasOff+N) to every row of the (B, N) block of `dst` at `off`. */
export function addBias(B: number, N: number, bias: TypedData, dst: TypedData, off = 0, biasOff = 0): void {
  const rt = wasmFor(N, dst, bias);
  if (rt) {
    rt.exports.addRowVector(B, N, rt.addr(bias, biasOff), rt.addr(dst, off));
    return;
  }
  for (let b = 0; b < B; b++) {
    const row = off + b * N;
    for (let j = 0; j < N; j++) dst[row + j]! += bias[biasOff + j]!;
  }
}
