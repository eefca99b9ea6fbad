// AssemblyScript. The machine's WebAssembly SIMD peak, which `npm run bench` relates the gemm to:
// f32x4 multiply-adds into 8 independent accumulators (enough to cover the add latency), with
// no memory traffic: the most floating-point work per cycle that 128-bit WebAssembly SIMD
// without fused multiply-add can do here.

/**
 * `iters` trips of 4 rounds of 8 f32x4 multiply-adds (64 flops a round, 256 a trip). Pass
 * m = 1 and d = 0 (unknown at compile time, so nothing folds away); returns a sum.
 */
export function peakMulAdd(iters: i32, m: f32, d: f32): f32 {
  const y = f32x4.splat(m);
  const x0 = f32x4.splat(d + 1), x1 = f32x4.splat(d + 2), x2 = f32x4.splat(d + 3), x3 = f32x4.splat(d + 4);
  let s0 = f32x4.splat(d), s1 = f32x4.splat(d), s2 = f32x4.splat(d), s3 = f32x4.splat(d);
  let s4 = f32x4.splat(d), s5 = f32x4.splat(d), s6 = f32x4.splat(d), s7 = f32x4.splat(d);
  // Four rounds written out per loop trip, so the loop's own counter and interrupt check cost little.
  for (let n = 0; n < iters; n++) {
    s0 = f32x4.add(s0, f32x4.mul(x0, y)); s1 = f32x4.add(s1, f32x4.mul(x1, y));
    s2 = f32x4.add(s2, f32x4.mul(x2, y)); s3 = f32x4.add(s3, f32x4.mul(x3, y));
    s4 = f32x4.add(s4, f32x4.mul(x0, y)); s5 = f32x4.add(s5, f32x4.mul(x1, y));
    s6 = f32x4.add(s6, f32x4.mul(x2, y)); s7 = f32x4.add(s7, f32x4.mul(x3, y));
    s0 = f32x4.add(s0, f32x4.mul(x0, y)); s1 = f32x4.add(s1, f32x4.mul(x1, y));
    s2 = f32x4.add(s2, f32x4.mul(x2, y)); s3 = f32x4.add(s3, f32x4.mul(x3, y));
    s4 = f32x4.add(s4, f32x4.mul(x0, y)); s5 = f32x4.add(s5, f32x4.mul(x1, y));
    s6 = f32x4.add(s6, f32x4.mul(x2, y)); s7 = f32x4.add(s7, f32x4.mul(x3, y));
    s0 = f32x4.add(s0, f32x4.mul(x0, y)); s1 = f32x4.add(s1, f32x4.mul(x1, y));
    s2 = f32x4.add(s2, f32x4.mul(x2, y)); s3 = f32x4.add(s3, f32x4.mul(x3, y));
    s4 = f32x4.add(s4, f32x4.mul(x0, y)); s5 = f32x4.add(s5, f32x4.mul(x1, y));
    s6 = f32x4.add(s6, f32x4.mul(x2, y)); s7 = f32x4.add(s7, f32x4.mul(x3, y));
    s0 = f32x4.add(s0, f32x4.mul(x0, y)); s1 = f32x4.add(s1, f32x4.mul(x1, y));
    s2 = f32x4.add(s2, f32x4.mul(x2, y)); s3 = f32x4.add(s3, f32x4.mul(x3, y));
    s4 = f32x4.add(s4, f32x4.mul(x0, y)); s5 = f32x4.add(s5, f32x4.mul(x1, y));
    s6 = f32x4.add(s6, f32x4.mul(x2, y)); s7 = f32x4.add(s7, f32x4.mul(x3, y));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(s0, s1), f32x4.add(s2, s3)), f32x4.add(f32x4.add(s4, s5), f32x4.add(s6, s7)));
  return f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 2) + f32x4.extract_lane(s, 3);
}
