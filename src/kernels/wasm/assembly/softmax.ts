// AssemblyScript. Row-wise log-sum-exp and softmax, for cross-entropy over N rows of C
// logits (C any size: four at a time, then the rest one by one): the WebAssembly twin of the
// loops in src/kernels/softmax.ts.
import { expv } from "./math";

/**
 * For each row, its max and Σ_c e^(x[r,c] − max) (the stable way); the caller takes the log
 * and adds, in double precision. (No log here: AssemblyScript's log needs a table of static
 * data, and the kernels keep their memory free of any, see src/kernels/wasm.ts.)
 */
export function rowMaxSumExp(N: i32, C: i32, x: usize, rowMax: usize, rowSum: usize): void {
  const C4 = C & ~3;
  for (let r = 0; r < N; r++) {
    const row = x + <usize>(r * C * 4);
    let mv = f32x4.splat(-Infinity);
    for (let j = 0; j < C4; j += 4) mv = f32x4.max(mv, v128.load(row + <usize>(j * 4)));
    let m = max(max(f32x4.extract_lane(mv, 0), f32x4.extract_lane(mv, 1)), max(f32x4.extract_lane(mv, 2), f32x4.extract_lane(mv, 3)));
    for (let j = C4; j < C; j++) m = max(m, load<f32>(row + <usize>(j * 4)));
    const mm = f32x4.splat(m);
    let sv = f32x4.splat(0);
    for (let j = 0; j < C4; j += 4) sv = f32x4.add(sv, expv(f32x4.sub(v128.load(row + <usize>(j * 4)), mm)));
    let s = f32x4.extract_lane(sv, 0) + f32x4.extract_lane(sv, 1) + f32x4.extract_lane(sv, 2) + f32x4.extract_lane(sv, 3);
    for (let j = C4; j < C; j++) s += f32x4.extract_lane(expv(f32x4.splat(load<f32>(row + <usize>(j * 4)) - m)), 0);
    store<f32>(rowMax + <usize>(r * 4), m);
    store<f32>(rowSum + <usize>(r * 4), s);
  }
}

/**
 * out[r,c] = g[r] · e^((x[r,c] − max[r]) − logSum[r]): softmax scaled per row (the cross-entropy
 * gradient before the −g at the target). x − max is exact near the max, so large logits keep
 * their digits (x − lse in float32 would round lse first).
 */
export function scaledSoftmax(N: i32, C: i32, x: usize, rowMax: usize, logSum: usize, g: usize, out: usize): void {
  const C4 = C & ~3;
  for (let r = 0; r < N; r++) {
    const row = <usize>(r * C * 4);
    const m = load<f32>(rowMax + <usize>(r * 4));
    const l = load<f32>(logSum + <usize>(r * 4));
    const gr = load<f32>(g + <usize>(r * 4));
    const mv = f32x4.splat(m), lv = f32x4.splat(l), gv = f32x4.splat(gr);
    for (let j = 0; j < C4; j += 4) {
      const at = row + <usize>(j * 4);
      v128.store(out + at, f32x4.mul(gv, expv(f32x4.sub(f32x4.sub(v128.load(x + at), mv), lv))));
    }
    for (let j = C4; j < C; j++) {
      const at = row + <usize>(j * 4);
      store<f32>(out + at, gr * f32x4.extract_lane(expv(f32x4.splat(load<f32>(x + at) - m - l)), 0));
    }
  }
}
