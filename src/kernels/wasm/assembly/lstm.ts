// AssemblyScript. The LSTM's gate maths for one time step, four hidden units at a time: the
// WebAssembly twin of the loops in src/nn/recurrent/lstm.ts (read the equations there).
// Rows are batch entries; a row of gx, gh, saved, dGx holds the blocks [i f g o], H each
// (stride 4H); a row of c, m, dm, dC holds H values. H must be a multiple of 4. Pointers are
// byte addresses of the step's first row; `bias` is b_hh (4H) or 0 for none.
import { sigmoidv, tanhv } from "./math";

// @ts-ignore: decorator
@inline function gate(gx: usize, gh: usize, bias: usize): v128 {
  const a = f32x4.add(v128.load(gx), v128.load(gh));
  return bias ? f32x4.add(a, v128.load(bias)) : a;
}

/** i, f, g, o from gx + gh (+ b_hh); c_t = f⊙c_{t−1} + i⊙g; m_t = o⊙tanh(c_t). Saves i, f, g, o. */
export function lstmForward(
  B: i32, H: i32, gx: usize, gh: usize, bias: usize,
  cPrev: usize, cNext: usize, saved: usize, m: usize,
): void {
  const G = <usize>(4 * H * 4); // bytes per gate row
  const Hb = <usize>(H * 4); // bytes per state row, and per gate block
  for (let b = 0; b < B; b++) {
    const rowG = <usize>b * G;
    const rowH = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      const x = gx + rowG + j, h = gh + rowG + j, bb = bias ? bias + j : 0;
      const i = sigmoidv(gate(x, h, bb));
      const f = sigmoidv(gate(x + Hb, h + Hb, bb ? bb + Hb : 0));
      const g = tanhv(gate(x + 2 * Hb, h + 2 * Hb, bb ? bb + 2 * Hb : 0));
      const o = sigmoidv(gate(x + 3 * Hb, h + 3 * Hb, bb ? bb + 3 * Hb : 0));
      const sv = saved + rowG + j;
      v128.store(sv, i);
      v128.store(sv + Hb, f);
      v128.store(sv + 2 * Hb, g);
      v128.store(sv + 3 * Hb, o);
      const c = f32x4.add(f32x4.mul(f, v128.load(cPrev + rowH + j)), f32x4.mul(i, g));
      v128.store(cNext + rowH + j, c);
      v128.store(m + rowH + j, f32x4.mul(o, tanhv(c)));
    }
  }
}

/**
 * From dm_t (= dh_t, or dh_t·W_hr) and dc_t: the gradients of the four pre-activations into
 * dGx, and dc_{t−1} += dc ⊙ f.
 */
export function lstmBackward(
  B: i32, H: i32, saved: usize, cPrev: usize, cNext: usize,
  dm: usize, dcNext: usize, dGx: usize, dcPrev: usize,
): void {
  const G = <usize>(4 * H * 4);
  const Hb = <usize>(H * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const rowG = <usize>b * G;
    const rowH = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      const sv = saved + rowG + j;
      const i = v128.load(sv), f = v128.load(sv + Hb), g = v128.load(sv + 2 * Hb), o = v128.load(sv + 3 * Hb);
      const tc = tanhv(v128.load(cNext + rowH + j));
      const dmt = v128.load(dm + rowH + j);
      const dc = f32x4.add(v128.load(dcNext + rowH + j), f32x4.mul(f32x4.mul(dmt, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      const d = dGx + rowG + j;
      v128.store(d, f32x4.mul(f32x4.mul(dc, g), f32x4.mul(i, f32x4.sub(one, i))));
      v128.store(d + Hb, f32x4.mul(f32x4.mul(dc, v128.load(cPrev + rowH + j)), f32x4.mul(f, f32x4.sub(one, f))));
      v128.store(d + 2 * Hb, f32x4.mul(f32x4.mul(dc, i), f32x4.sub(one, f32x4.mul(g, g))));
      v128.store(d + 3 * Hb, f32x4.mul(f32x4.mul(dmt, tc), f32x4.mul(o, f32x4.sub(one, o))));
      const p = dcPrev + rowH + j;
      v128.store(p, f32x4.add(v128.load(p), f32x4.mul(dc, f)));
    }
  }
}
