// AssemblyScript. The Elman RNN's elementwise step, four units at a time: the WebAssembly twin
// of the loops in src/nn/recurrent/rnn.ts. Rows of gx, gh, saved, h, dh, dGx hold H values
// (H a multiple of 4); `bias` is b_hh (H) or 0; relu != 0 selects relu over tanh.
import { tanhv } from "./math";

/** a = gx + gh (+ b_hh), saved = a, h = tanh(a) or relu(a). */
export function rnnForward(B: i32, H: i32, gx: usize, gh: usize, bias: usize, saved: usize, h: usize, relu: i32): void {
  const Hb = <usize>(H * 4);
  for (let b = 0; b < B; b++) {
    const row = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      let a = f32x4.add(v128.load(gx + row + j), v128.load(gh + row + j));
      if (bias) a = f32x4.add(a, v128.load(bias + j));
      v128.store(saved + row + j, a);
      // pmax: one instruction, and a NaN passes through (it is not below 0).
      v128.store(h + row + j, relu ? f32x4.pmax(a, f32x4.splat(0)) : tanhv(a));
    }
  }
}

/** da = dh ⊙ (1 − h²) for tanh, dh ⊙ [a > 0] for relu. */
export function rnnBackward(B: i32, H: i32, saved: usize, h: usize, dh: usize, dGx: usize, relu: i32): void {
  const one = f32x4.splat(1);
  const zero = f32x4.splat(0);
  // Every argument's rows are H values apart: the B rows are one block of B·H values.
  for (let q: usize = 0; q < <usize>(B * H) * 4; q += 16) {
    const d = v128.load(dh + q);
    if (relu) {
      v128.store(dGx + q, v128.and(d, f32x4.gt(v128.load(saved + q), zero)));
    } else {
      const hv = v128.load(h + q);
      v128.store(dGx + q, f32x4.mul(d, f32x4.sub(one, f32x4.mul(hv, hv))));
    }
  }
}
