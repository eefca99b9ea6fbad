/**
 * The kernel layer's matrix product, on raw typed arrays. Every matmul in seqlab (the ops'
 * `matmul`, `Linear`, the recurrent layers' input and hidden projections) goes through here,
 * so a faster backend (WebAssembly SIMD) can slot in at this one place.
 */
import type { TypedData } from "../tensor.js";

/**
 * C (+)= op(A) · op(B), all row-major, where op(A) is M×K and op(B) is K×N.
 * A is stored M×K, or K×M when `transA`; B is stored K×N, or N×K when `transB`.
 * Offsets let callers address one time step or one batch entry without making views.
 * With `accumulate` the product is added to C; otherwise C is overwritten.
 */
export function gemm(
  M: number, N: number, K: number,
  A: TypedData, aOff: number, transA: boolean,
  B: TypedData, bOff: number, transB: boolean,
  C: TypedData, cOff: number, accumulate: boolean,
): void {
  if (!accumulate) C.fill(0, cOff, cOff + M * N);
  if (!transA && transB) {
    // x · Wᵀ, the common case (weights stored (out, in)): contiguous dot products.
    for (let i = 0; i < M; i++) {
      const a = aOff + i * K;
      const c = cOff + i * N;
      for (let j = 0; j < N; j++) {
        const b = bOff + j * K;
        let s = 0;
        for (let k = 0; k < K; k++) s += A[a + k]! * B[b + k]!;
        C[c + j]! += s;
      }
    }
  } else if (!transA && !transB) {
    // i-k-j order streams rows of B and C.
    for (let i = 0; i < M; i++) {
      const c = cOff + i * N;
      for (let k = 0; k < K; k++) {
        const aik = A[aOff + i * K + k]!;
        if (aik === 0) continue;
        const b = bOff + k * N;
        for (let j = 0; j < N; j++) C[c + j]! += aik * B[b + j]!;
      }
    }
  } else if (transA && !transB) {
    // Aᵀ · B, e.g. weight gradients dW = dYᵀ · X: k-i-j order streams rows of A, B and C.
    for (let k = 0; k < K; k++) {
      const a = aOff + k * M;
      const b = bOff + k * N;
      for (let i = 0; i < M; i++) {
        const aki = A[a + i]!;
        if (aki === 0) continue;
        const c = cOff + i * N;
        for (let j = 0; j < N; j++) C[c + j]! += aki * B[b + j]!;
      }
    }
  } else {
    for (let i = 0; i < M; i++) {
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += A[aOff + k * M + i]! * B[bOff + j * K + k]!;
        C[cOff + i * N + j]! += s;
      }
    }
  }
}
