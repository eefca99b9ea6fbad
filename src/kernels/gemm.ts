/**
 * The kernel layer's matrix product, on raw typed arrays. Every matmul in seqlab (the ops'
 * `matmul`, `Linear`, the recurrent layers' input and hidden projections) goes through `gemm`,
 * which runs float32 products on the WebAssembly SIMD kernel (src/kernels/wasm/assembly/gemm.ts)
 * when that backend is active, and everything else on `gemmJs` below, the reference.
 *
 * How `gemmJs` is fast enough in plain JavaScript: C is computed in 4×4 tiles whose 16 sums live
 * in local variables (CPU registers) while k runs, so every value loaded from A or B is used
 * four times and the 16 sums are independent (no add waits for the previous one). The four
 * transpose cases differ only in strides, so one tile loop serves all of them.
 */
import type { TypedData } from "../tensor.js";
import { activeWasm, sizeThresholds } from "./backend.js";
import { arenaFloats, type WasmRuntime } from "./wasm.js";

/**
 * Length of the k panels. While the loops revisit them, a tile's 4 rows of op(A) (4·256 values)
 * stay in L1 and the panel of op(B) (256·N values) in L2, whatever K is.
 */
const K_PANEL = 256;

/** Below this many multiply-adds, copying operands into WebAssembly memory costs more than it saves. */
const WASM_MIN_WORK = 4096;

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
  const rt = C instanceof Float32Array ? activeWasm() : null;
  if (rt && gemmWasm(rt, M, N, K, A as Float32Array, aOff, transA, B as Float32Array, bOff, transB, C as Float32Array, cOff, accumulate)) {
    products.wasm++;
    return;
  }
  products.js++;
  gemmJs(M, N, K, A, aOff, transA, B, bOff, transB, C, cOff, accumulate);
}

/** How many products each path has run since the program started (`packed`: those of the wasm ones that read a B packed once for a time loop). */
const products = { wasm: 0, js: 0, packed: 0 };

/**
 * The counts of products run on WebAssembly and in TypeScript so far, so that a caller can
 * report which kernels did its work (under "auto" small products stay in TypeScript).
 */
export function productCounts(): { wasm: number; js: number; packed: number } {
  return { ...products };
}

/**
 * The WebAssembly path: operands already in WebAssembly memory are read in place (a time
 * loop's buffers); others are copied in, and C out. False when it declined (too little work
 * to pay for the copies, or no reserved room inside an open arena scope).
 */
function gemmWasm(
  rt: WasmRuntime, M: number, N: number, K: number,
  A: Float32Array, aOff: number, transA: boolean,
  B: Float32Array, bOff: number, transB: boolean,
  C: Float32Array, cOff: number, accumulate: boolean,
): boolean {
  // A small product runs here only on a time loop's buffers, already in WebAssembly memory;
  // C is tested first, as a teaching-sized step makes hundreds of products on ordinary arrays.
  const small = M * N * K < WASM_MIN_WORK && sizeThresholds();
  if (small && !(rt.holds(C) && rt.holds(A) && rt.holds(B))) return false;
  const inA = rt.holds(A), inB = rt.holds(B), inC = rt.holds(C);
  const packed = inB && inA && inC ? packedRight(B, bOff, transB, K, N) : null;
  if (packed) {
    products.packed++;
    rt.gemmPacked(M, N, K, rt.addr(A, aOff), transA ? 1 : K, transA ? M : 1, rt.addr(packed.out, packed.at), rt.addr(C, cOff), accumulate);
    return true;
  }
  const mark = rt.mark();
  if (!rt.reserve(stagedFloats(M, N, K, inA, inB, inC))) {
    rt.fallbacks++;
    return false;
  }
  try {
    // Both layouts of A (M×K or K×M) and of B are one contiguous block.
    const a = inA ? rt.addr(A, aOff) : rt.addr(rt.copyIn(A, aOff, M * K));
    const b = inB ? rt.addr(B, bOff) : rt.addr(rt.copyIn(B, bOff, K * N));
    const c = inC ? null : accumulate ? rt.copyIn(C, cOff, M * N) : rt.alloc(M * N);
    rt.gemm(M, N, K, a, transA ? 1 : K, transA ? M : 1, b, transB ? 1 : N, transB ? K : 1, c ? rt.addr(c) : rt.addr(C, cOff), accumulate);
    if (c) C.set(c, cOff);
  } finally {
    rt.release(mark);
  }
  return true;
}

/** A right operand op(B) of products that a time loop repeats at every step: which array, where in it, its layout and shape. */
export interface RightOperand {
  readonly B: TypedData;
  readonly bOff: number;
  readonly transB: boolean;
  readonly K: number;
  readonly N: number;
}

/** The right operands packed for the time loop running now, and where each packed copy is (`out`, from float `at`). */
const packedRights: (RightOperand & { readonly out: Float32Array; readonly at: number })[] = [];

/** The packed copy of this op(B), if the running time loop packed it. */
function packedRight(B: TypedData, bOff: number, transB: boolean, K: number, N: number) {
  for (const p of packedRights) {
    if (p.B === B && p.bOff === bOff && p.transB === transB && p.K === K && p.N === N) return p;
  }
  return null;
}

/** Floats that packing a K×N op(B) takes (N rounded up to the micro-kernel's 8 columns). */
export function packedFloats(K: number, N: number): number {
  return K * Math.ceil(N / 8) * 8;
}

/**
 * Runs a time loop `fn` with each op(B) of `rights` packed once, one after another in `out`
 * (room for the sum of their packedFloats): every product inside whose B, offset, layout and
 * shape match one of them skips packing it. A step's h·W_hhᵀ packs the whole W_hh at every
 * call otherwise (measured: 3–5 % of a training step of `npm run bench`). On the TypeScript
 * path (`out` or a B not in WebAssembly memory) it only runs `fn`.
 */
export function withPackedRights<R>(rights: readonly RightOperand[], out: TypedData, fn: () => R): R {
  if (!(out instanceof Float32Array)) return fn();
  const rt = activeWasm();
  if (!rt || !rt.holds(out) || !rights.every((r) => rt.holds(r.B))) return fn();
  const before = packedRights.length;
  let at = 0;
  for (const r of rights) {
    const b = rt.addr(r.B, r.bOff);
    rt.packRight(r.K, r.N, b, r.transB ? 1 : r.N, r.transB ? r.K : 1, rt.addr(out, at));
    packedRights.push({ ...r, out, at });
    at += packedFloats(r.K, r.N);
  }
  try {
    return fn();
  } finally {
    packedRights.length = before;
  }
}

/**
 * Arena space a product copies its operands into: each of A (M·K values), B (K·N) and C (M·N)
 * that is not in WebAssembly memory yet (`inA`, `inB`, `inC`), with its alignment. A time loop's
 * workspace declares this much room for the products it makes on outside arrays.
 */
export function stagedFloats(M: number, N: number, K: number, inA: boolean, inB: boolean, inC: boolean): number {
  return arenaFloats([inA ? 0 : M * K, inB ? 0 : K * N, inC ? 0 : M * N]);
}

/**
 * The three products the recurrent steps and layers make, named by their shapes (all arrays
 * row-major, each operand at its offset; `accumulate` adds into C instead of overwriting it):
 *
 *   mulABt: C (M×N) (+)= A (M×K) · Bᵀ, B stored N×K   x·Wᵀ: rows through a weight stored (out, in)
 *   mulAB:  C (M×N) (+)= A (M×K) · B (K×N)             dY·W: a gradient back through that weight
 *   mulAtB: C (M×N) (+)= Aᵀ · B, A stored K×M, B K×N   dYᵀ·X: the weight's gradient
 */
export function mulABt(M: number, N: number, K: number, A: TypedData, aOff: number, B: TypedData, bOff: number, C: TypedData, cOff: number, accumulate = false): void {
  gemm(M, N, K, A, aOff, false, B, bOff, true, C, cOff, accumulate);
}

/** C (M×N) (+)= A (M×K) · B (K×N); see mulABt. */
export function mulAB(M: number, N: number, K: number, A: TypedData, aOff: number, B: TypedData, bOff: number, C: TypedData, cOff: number, accumulate = false): void {
  gemm(M, N, K, A, aOff, false, B, bOff, false, C, cOff, accumulate);
}

/** C (M×N) (+)= Aᵀ · B with A stored K×M and B K×N; see mulABt. */
export function mulAtB(M: number, N: number, K: number, A: TypedData, aOff: number, B: TypedData, bOff: number, C: TypedData, cOff: number, accumulate = false): void {
  gemm(M, N, K, A, aOff, true, B, bOff, false, C, cOff, accumulate);
}

/** The reference product in plain TypeScript (any dtype), with `gemm`'s contract. */
export function gemmJs(
  M: number, N: number, K: number,
  A: TypedData, aOff: number, transA: boolean,
  B: TypedData, bOff: number, transB: boolean,
  C: TypedData, cOff: number, accumulate: boolean,
): void {
  // op(A)[i, k] = A[aOff + i·ai + k·ak] and op(B)[k, j] = B[bOff + k·bk + j·bj].
  const ai = transA ? 1 : K;
  const ak = transA ? M : 1;
  const bk = transB ? 1 : N;
  const bj = transB ? K : 1;
  const M4 = M - (M % 4);
  const N4 = N - (N % 4);
  if (K === 0 && !accumulate) C.fill(0, cOff, cOff + M * N);
  // k runs in panels (see K_PANEL); after the first one each panel adds its share to C, so a
  // float32 C holds partial sums rounded to float32 in between, as in BLAS.
  for (let k0 = 0; k0 < K; k0 += K_PANEL) {
    const kc = Math.min(K_PANEL, K - k0);
    const add = accumulate || k0 > 0;
    for (let i = 0; i < M; i += i < M4 ? 4 : 1) {
      const a = aOff + i * ai + k0 * ak;
      const c = cOff + i * N;
      for (let j = 0; j < N; j += j < N4 ? 4 : 1) {
        const b = bOff + j * bj + k0 * bk;
        if (i < M4 && j < N4) tile4x4(kc, A, a, ai, ak, B, b, bk, bj, C, c + j, N, add);
        else if (j < N4) tile1x4(kc, A, a, ak, B, b, bk, bj, C, c + j, add);
        else for (let r = 0; r < (i < M4 ? 4 : 1); r++) dot(kc, A, a + r * ai, ak, B, b, bk, C, c + r * N + j, add);
      }
    }
  }
}

/** The 4×4 tile of C at `c` (row stride N): sixteen running sums over k. */
function tile4x4(
  K: number, A: TypedData, a: number, ai: number, ak: number,
  B: TypedData, b: number, bk: number, bj: number,
  C: TypedData, c: number, N: number, accumulate: boolean,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let k = 0; k < K; k++) {
    const a0 = A[a]!, a1 = A[a + ai]!, a2 = A[a + 2 * ai]!, a3 = A[a + 3 * ai]!;
    const b0 = B[b]!, b1 = B[b + bj]!, b2 = B[b + 2 * bj]!, b3 = B[b + 3 * bj]!;
    c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
    c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
    c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
    c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
    a += ak;
    b += bk;
  }
  store4(C, c, accumulate, c00, c01, c02, c03);
  store4(C, c + N, accumulate, c10, c11, c12, c13);
  store4(C, c + 2 * N, accumulate, c20, c21, c22, c23);
  store4(C, c + 3 * N, accumulate, c30, c31, c32, c33);
}

/** One row, four columns: the tile for rows left over when M is not a multiple of 4 (e.g. batch 1). */
function tile1x4(
  K: number, A: TypedData, a: number, ak: number,
  B: TypedData, b: number, bk: number, bj: number,
  C: TypedData, c: number, accumulate: boolean,
): void {
  let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  for (let k = 0; k < K; k++) {
    const a0 = A[a]!;
    c0 += a0 * B[b]!; c1 += a0 * B[b + bj]!; c2 += a0 * B[b + 2 * bj]!; c3 += a0 * B[b + 3 * bj]!;
    a += ak;
    b += bk;
  }
  store4(C, c, accumulate, c0, c1, c2, c3);
}

/** One element of C: the columns left over when N is not a multiple of 4. */
function dot(K: number, A: TypedData, a: number, ak: number, B: TypedData, b: number, bk: number, C: TypedData, c: number, accumulate: boolean): void {
  let s = 0;
  for (let k = 0; k < K; k++) {
    s += A[a]! * B[b]!;
    a += ak;
    b += bk;
  }
  C[c] = accumulate ? C[c]! + s : s;
}

function store4(C: TypedData, c: number, accumulate: boolean, s0: number, s1: number, s2: number, s3: number): void {
  if (accumulate) {
    C[c]! += s0; C[c + 1]! += s1; C[c + 2]! += s2; C[c + 3]! += s3;
  } else {
    C[c] = s0; C[c + 1] = s1; C[c + 2] = s2; C[c + 3] = s3;
  }
}
