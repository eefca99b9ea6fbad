// AssemblyScript. e^x, σ(x) and tanh(x) on four float32 lanes at once, for the gate kernels.
// Accurate to a few float32 ulps (Cephes' single-precision polynomials), so a gate computed
// here and one computed in double by the TypeScript kernels agree to float32 rounding.

// The coefficients are mutable globals, not constants, on purpose: V8 rebuilds a v128 constant
// at every use inside a loop (three instructions each, a dozen per call here), while a global
// is one load that it folds into the arithmetic. Never written after start-up.
let EXP_LO: v128 = f32x4.splat(-87.0);
let EXP_HI: v128 = f32x4.splat(88.0);
let LOG2E: v128 = f32x4.splat(1.44269504);
// 1.5·2^23: adding it rounds to the nearest integer, which lands in the low mantissa bits.
let ROUND: v128 = f32x4.splat(12582912.0);
let ROUND_BIAS: v128 = i32x4.splat(127 - 0x4B400000);
let LN2_HI: v128 = f32x4.splat(0.693359375);
let LN2_LO: v128 = f32x4.splat(2.12194440e-4);
let E0: v128 = f32x4.splat(1.9875691500e-4);
let E1: v128 = f32x4.splat(1.3981999507e-3);
let E2: v128 = f32x4.splat(8.3334519073e-3);
let E3: v128 = f32x4.splat(4.1665795894e-2);
let E4: v128 = f32x4.splat(1.6666665459e-1);
let E5: v128 = f32x4.splat(5.0000001201e-1);
let ONE: v128 = f32x4.splat(1.0);
let TWO: v128 = f32x4.splat(2.0);
let SIGN: v128 = i32x4.splat(0x80000000);
let T0: v128 = f32x4.splat(-5.70498872745e-3);
let T1: v128 = f32x4.splat(2.06390887954e-2);
let T2: v128 = f32x4.splat(-5.37397155531e-2);
let T3: v128 = f32x4.splat(1.33314422036e-1);
let T4: v128 = f32x4.splat(-3.33332819422e-1);
let TANH_POLY_MAX: v128 = f32x4.splat(0.625);

/**
 * e^x: write x = n·ln2 + r with |r| ≤ ln2/2, take e^r from a degree-6 polynomial and
 * multiply by 2^n built directly in the exponent bits. x is clamped to [−87, 88] so that 2^n
 * stays a normal float32 (σ and tanh only need e^x saturated there). pmin/pmax clamp in one
 * instruction each (min/max would add NaN and −0 handling, a few more) and pass a NaN through.
 */
// @ts-ignore: decorator
@inline export function expv(x: v128): v128 {
  x = f32x4.pmin(f32x4.pmax(x, EXP_LO), EXP_HI);
  // t holds n = round(x·log2 e) in its low bits: n itself and 2^n come from it without converting.
  const t = f32x4.add(f32x4.mul(x, LOG2E), ROUND);
  const n = f32x4.sub(t, ROUND);
  // ln2 in two parts, so that n·ln2 is subtracted without rounding error.
  let r = f32x4.sub(x, f32x4.mul(n, LN2_HI));
  r = f32x4.add(r, f32x4.mul(n, LN2_LO));
  let p = E0;
  p = f32x4.add(f32x4.mul(p, r), E1);
  p = f32x4.add(f32x4.mul(p, r), E2);
  p = f32x4.add(f32x4.mul(p, r), E3);
  p = f32x4.add(f32x4.mul(p, r), E4);
  p = f32x4.add(f32x4.mul(p, r), E5);
  p = f32x4.add(f32x4.add(f32x4.mul(f32x4.mul(p, r), r), r), ONE);
  const pow2n = i32x4.shl(i32x4.add(t, ROUND_BIAS), 23);
  return f32x4.mul(p, pow2n);
}

/** σ(x) = 1 / (1 + e^(−x)). */
// @ts-ignore: decorator
@inline export function sigmoidv(x: v128): v128 {
  return f32x4.div(ONE, f32x4.add(ONE, expv(f32x4.neg(x))));
}

/**
 * tanh(x): an odd polynomial for |x| < 0.625, where 1 − 2/(e^{2|x|} + 1) would lose digits
 * to cancellation; that formula (with x's sign) elsewhere.
 */
// @ts-ignore: decorator
@inline export function tanhv(x: v128): v128 {
  const ax = f32x4.abs(x);
  const big = f32x4.sub(ONE, f32x4.div(TWO, f32x4.add(expv(f32x4.add(ax, ax)), ONE)));
  const signed = v128.or(big, v128.and(x, SIGN));
  const z = f32x4.mul(x, x);
  let p = T0;
  p = f32x4.add(f32x4.mul(p, z), T1);
  p = f32x4.add(f32x4.mul(p, z), T2);
  p = f32x4.add(f32x4.mul(p, z), T3);
  p = f32x4.add(f32x4.mul(p, z), T4);
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  return v128.bitselect(small, signed, f32x4.lt(ax, TANH_POLY_MAX));
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
