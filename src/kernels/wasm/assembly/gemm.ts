// AssemblyScript: compiled to WebAssembly (128-bit SIMD) by src/kernels/wasm/build-wasm.mjs.
//
// C (+)= op(A)·op(B) in float32, the WebAssembly twin of src/kernels/gemm.ts. Pointers are
// byte offsets into the module's memory; strides are in elements:
//   op(A)[i, k] = A[i·ai + k·ak]      op(B)[k, j] = B[k·bk + j·bj]      C[i, j] = C[i·ldc + j]
// (ldc > N lets a thread compute a block of columns of a wider C.)
//
// How it is fast (the GotoBLAS recipe, cut down to one level of blocking):
//   - op(B) is copied ("packed") KC rows × NC columns at a time into NR-wide column strips, so
//     the inner loop reads B contiguously, whatever its layout or transposition;
//   - op(A) is packed MR rows at a time, k-major, so the MR values for one k sit side by side;
//   - the micro-kernel keeps an MR×NR tile of C in MR·NR/4 SIMD registers while k runs: every
//     packed B vector is used MR times and every A value NR times, from registers.
// A KC×NC panel of B (512 KiB) stays in L2, a packed strip of A (4 KiB) in L1.

const MR = 4;
const NR = 8;
const KC = 256;
const NC = 512;

/** Floats of scratch the caller provides at `work`: one packed B panel, one packed A strip, one edge tile. */
export const GEMM_WORK_FLOATS: i32 = KC * NC + KC * MR + MR * NR;

export function gemm(
  M: i32, N: i32, K: i32,
  a: usize, ai: i32, ak: i32,
  b: usize, bk: i32, bj: i32,
  c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  product(M, N, K, a, ai, ak, b, bk, bj, 0, 0, c, ldc, accumulate, work);
}

/** N rounded up to whole NR-column strips: the width of a packed op(B). */
// @ts-ignore: decorator
@inline
function paddedWidth(N: i32): i32 {
  return (N + NR - 1) / NR * NR;
}

/**
 * Floats that `packRight` writes for a K×N op(B): every k panel of KC rows (the last one
 * shorter) as strips of NR columns, N rounded up to NR.
 */
export function packedFloats(K: i32, N: i32): i32 {
  return K * paddedWidth(N);
}

/**
 * Packs all of op(B) (K×N) once, for products that reuse it: a time loop multiplies by the same
 * W_hh at every step. Panel k0 starts at out + k0·Np floats (Np = N rounded up to NR) and
 * holds its strips one after another: column j's strip at out + (k0·Np + j·kc) floats.
 */
export function packRight(K: i32, N: i32, b: usize, bk: i32, bj: i32, out: usize): void {
  const Np = paddedWidth(N);
  for (let k0 = 0; k0 < K; k0 += KC) packB(min(KC, K - k0), N, b + <usize>(k0 * bk * 4), bk, bj, out + <usize>(k0 * Np * 4));
}

/**
 * C (+)= op(A)·op(B) for columns col0 … col0+N of an op(B) that `packRight` packed, Np wide:
 * `gemm` without the packing of B, which for a time step's h·W_hhᵀ is a large share of the work.
 */
export function gemmPacked(
  M: i32, N: i32, K: i32,
  a: usize, ai: i32, ak: i32,
  packed: usize, Np: i32, col0: i32,
  c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  product(M, N, K, a, ai, ak, packed, 0, 0, Np, col0, c, ldc, accumulate, work);
}

/**
 * Both products' loops: NC-column blocks of C, KC-row panels of op(B), each panel packed here
 * (bk ≠ 0: B strided by bk, bj) or read from what packRight packed (bk = 0: Np wide, from
 * column col0), then `panel`.
 */
// @ts-ignore: decorator
@inline
function product(
  M: i32, N: i32, K: i32, a: usize, ai: i32, ak: i32,
  b: usize, bk: i32, bj: i32, Np: i32, col0: i32,
  c: usize, ldc: i32, accumulate: i32, work: usize,
): void {
  const bp = work;
  const ap = work + <usize>(KC * NC * 4);
  if (K == 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(c + <usize>(i * ldc * 4), 0, <usize>(N * 4));
    return;
  }
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = min(NC, N - j0);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kc = min(KC, K - k0);
      let strips = bp;
      if (bk == 0) strips = b + <usize>((k0 * Np + (col0 + j0) * kc) * 4);
      else packB(kc, nc, b + <usize>((k0 * bk + j0 * bj) * 4), bk, bj, bp);
      // After the first k panel, every panel adds its share to C.
      panel(M, nc, kc, a + <usize>(k0 * ak * 4), ai, ak, strips, c + <usize>(j0 * 4), ldc, accumulate != 0 || k0 > 0, ap);
    }
  }
}

/**
 * One k panel of the product: for every MR rows of op(A) (packed into `ap`), the micro-kernel
 * against each NR-column strip of the packed panel of B at `strips` (strip jr at strips + jr·kc
 * floats), into C at `c` (its column j0). `add`: add into C rather than overwrite it.
 */
// @ts-ignore: decorator
@inline
function panel(M: i32, nc: i32, kc: i32, a: usize, ai: i32, ak: i32, strips: usize, c: usize, ldc: i32, add: bool, ap: usize): void {
  const edge = ap + <usize>(KC * MR * 4);
  for (let i0 = 0; i0 < M; i0 += MR) {
    const mr = min(MR, M - i0);
    packA(kc, mr, a + <usize>(i0 * ai * 4), ai, ak, ap);
    for (let jr = 0; jr < nc; jr += NR) {
      const nr = min(NR, nc - jr);
      const strip = strips + <usize>(jr * kc * 4);
      const tile = c + <usize>((i0 * ldc + jr) * 4);
      if (mr == MR && nr == NR) {
        kernel4x8(kc, ap, strip, tile, ldc * 4, add);
      } else {
        // Edge of C: compute the whole tile into scratch, then write only the part inside C.
        kernel4x8(kc, ap, strip, edge, NR * 4, false);
        for (let r = 0; r < mr; r++) {
          for (let q = 0; q < nr; q++) {
            const dst = tile + <usize>((r * ldc + q) * 4);
            const v = load<f32>(edge + <usize>((r * NR + q) * 4));
            store<f32>(dst, add ? load<f32>(dst) + v : v);
          }
        }
      }
    }
  }
}

/** op(B)[0:kc, 0:nc] → strips of NR columns, each kc rows of NR floats (zero-padded past nc). */
function packB(kc: i32, nc: i32, b: usize, bk: i32, bj: i32, out: usize): void {
  for (let jr = 0; jr < nc; jr += NR) {
    const nr = min(NR, nc - jr);
    let dst = out + <usize>(jr * kc * 4);
    let k = 0;
    if (nr == NR && bk == 1) {
      // B stored transposed (N×K): each column is contiguous in k, so take 4×4 blocks and
      // transpose them in registers instead of gathering values one by one.
      for (; k + 4 <= kc; k += 4) {
        const col = b + <usize>((k + jr * bj) * 4);
        transpose4Store(col, bj, dst, NR * 4);
        transpose4Store(col + <usize>(4 * bj * 4), bj, dst + 16, NR * 4);
        dst += 4 * NR * 4;
      }
    }
    for (; k < kc; k++) {
      const row = b + <usize>((k * bk + jr * bj) * 4);
      if (nr == NR && bj == 1) {
        v128.store(dst, v128.load(row));
        v128.store(dst, v128.load(row, 16), 16);
      } else {
        for (let q = 0; q < NR; q++) {
          store<f32>(dst + <usize>(q * 4), q < nr ? load<f32>(row + <usize>(q * bj * 4)) : 0);
        }
      }
      dst += NR * 4;
    }
  }
}

/** op(A)[0:mr, 0:kc] → kc groups of MR floats (row values for one k side by side; zero-padded past mr). */
function packA(kc: i32, mr: i32, a: usize, ai: i32, ak: i32, out: usize): void {
  let k = 0;
  if (mr == MR && ai == 1) {
    // A stored transposed (K×M): the MR values for one k are already side by side.
    for (; k < kc; k++) v128.store(out + <usize>(k * MR * 4), v128.load(a + <usize>(k * ak * 4)));
    return;
  }
  if (mr == MR && ak == 1) {
    // Rows contiguous in k: 4×4 blocks transposed in registers.
    for (; k + 4 <= kc; k += 4) transpose4Store(a + <usize>(k * 4), ai, out + <usize>(k * MR * 4), MR * 4);
  }
  for (; k < kc; k++) {
    const col = a + <usize>(k * ak * 4);
    const dst = out + <usize>(k * MR * 4);
    for (let r = 0; r < MR; r++) {
      store<f32>(dst + <usize>(r * 4), r < mr ? load<f32>(col + <usize>(r * ai * 4)) : 0);
    }
  }
}

/**
 * Reads four vectors of 4 floats at src, src + stride, src + 2·stride, src + 3·stride
 * (stride in elements) and stores their transpose as four vectors dstStride bytes apart.
 */
// @ts-ignore: decorator
@inline
function transpose4Store(src: usize, stride: i32, dst: usize, dstStride: i32): void {
  const s = <usize>(stride * 4);
  const r0 = v128.load(src), r1 = v128.load(src + s), r2 = v128.load(src + 2 * s), r3 = v128.load(src + 3 * s);
  const a = f32x4.shuffle(r0, r1, 0, 4, 1, 5), b = f32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const c = f32x4.shuffle(r0, r1, 2, 6, 3, 7), d = f32x4.shuffle(r2, r3, 2, 6, 3, 7);
  const ds = <usize>dstStride;
  v128.store(dst, f32x4.shuffle(a, b, 0, 1, 4, 5));
  v128.store(dst + ds, f32x4.shuffle(a, b, 2, 3, 6, 7));
  v128.store(dst + 2 * ds, f32x4.shuffle(c, d, 0, 1, 4, 5));
  v128.store(dst + 3 * ds, f32x4.shuffle(c, d, 2, 3, 6, 7));
}

/** The MR×NR tile at `c` (row stride `ldc` bytes) (+)= packed A strip · packed B strip. */
// @ts-ignore: decorator
@inline
function kernel4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32, add: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const a0 = v128.load32_splat(ap);
    const a1 = v128.load32_splat(ap, 4);
    const a2 = v128.load32_splat(ap, 8);
    const a3 = v128.load32_splat(ap, 12);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    ap += MR * 4;
    bp += NR * 4;
  }
  storeRow(c, c00, c01, add);
  storeRow(c + <usize>ldc, c10, c11, add);
  storeRow(c + <usize>(2 * ldc), c20, c21, add);
  storeRow(c + <usize>(3 * ldc), c30, c31, add);
}

// @ts-ignore: decorator
@inline
function storeRow(c: usize, lo: v128, hi: v128, add: bool): void {
  if (add) {
    lo = f32x4.add(lo, v128.load(c));
    hi = f32x4.add(hi, v128.load(c, 16));
  }
  v128.store(c, lo);
  v128.store(c, hi, 16);
}
