// AssemblyScript. e^x, σ(x) and tanh(x) on four float32 lanes at once, for the gate kernels.
// Accurate to a few float32 ulps (Cephes' single-precision polynomials), so a gate computed
// here and one computed in double by the TypeScript kernels agree to float32 rounding.

// @ts-ignore: decorator
@inline function sp(x: f32): v128 {
  return f32x4.splat(x);
}

/**
 * e^x: write x = n·ln2 + r with |r| ≤ ln2/2, take e^r from a degree-6 polynomial and
 * multiply by 2^n built directly in the exponent bits. x is clamped to [−87, 88] so that 2^n
 * stays a normal float32 (σ and tanh only need e^x saturated there).
 */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, sp(-87.0)), sp(88.0));
  const n = f32x4.nearest(f32x4.mul(x, sp(1.44269504)));
  // ln2 in two parts, so that n·ln2 is subtracted without rounding error.
  let r = f32x4.sub(x, f32x4.mul(n, sp(0.693359375)));
  r = f32x4.add(r, f32x4.mul(n, sp(2.12194440e-4)));
  let p = sp(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), sp(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), sp(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), sp(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), sp(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), sp(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), sp(1));
  const pow2n = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** σ(x) = 1 / (1 + e^(−x)). */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  return f32x4.div(sp(1), f32x4.add(sp(1), expv(f32x4.neg(x))));
}

/**
 * tanh(x): an odd polynomial for |x| < 0.625, where 1 − 2/(e^{2|x|} + 1) would lose digits
 * to cancellation; that formula (with x's sign) elsewhere.
 */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const big = f32x4.sub(sp(1), f32x4.div(sp(2), f32x4.add(expv(f32x4.add(ax, ax)), sp(1))));
  const signed = v128.or(big, v128.and(x, i32x4.splat(0x80000000)));
  const z = f32x4.mul(x, x);
  let p = sp(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), sp(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), sp(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), sp(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), sp(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, signed, f32x4.lt(ax, sp(0.625)));
}

/**
 * dst[q] = f(src[q]) for q < n (n a multiple of 4), f = e^x (0), σ (1) or tanh (2): the vector
 * functions above over arrays, so the tests can hold them against Math.exp and Math.tanh.
 */
export function mapUnary(n: i32, src: usize, dst: usize, f: i32): void {
  for (let q: usize = 0; q < <usize>n * 4; q += 16) {
    const x = v128.load(src + q);
    v128.store(dst + q, f == 0 ? expv(x) : f == 1 ? sigmoidv(x) : tanhv(x));
  }
}
