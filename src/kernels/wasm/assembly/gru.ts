// AssemblyScript. The GRU's elementwise step in its variants, four units at a time: the
// WebAssembly twin of the loops in src/nn/recurrent/gru.ts (equations and variants there).
// Row strides: gx and dGx 3H [r z n]; ghRZ and dGhRZ 2H; saved 4H [r z n ghN]; the rest H.
// H is a multiple of 4; `bias` is b_hh (3H) or 0; pointers are the step's first row.
import { sigmoidv, tanhv } from "./math";

/** r and z (saved), and q = r ⊙ h_{t−1} when the reset acts before the matmul (resetAfter = 0). */
export function gruForwardRZ(
  B: i32, H: i32, gx: usize, ghRZ: usize, bias: usize, hPrev: usize, saved: usize, q: usize, resetAfter: i32,
): void {
  const Hb = <usize>(H * 4);
  for (let b = 0; b < B; b++) {
    const x = gx + <usize>b * 3 * Hb, g = ghRZ + <usize>b * 2 * Hb, s = saved + <usize>b * 4 * Hb, h = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      let ar = f32x4.add(v128.load(x + j), v128.load(g + j));
      let az = f32x4.add(v128.load(x + Hb + j), v128.load(g + Hb + j));
      if (bias) {
        ar = f32x4.add(ar, v128.load(bias + j));
        az = f32x4.add(az, v128.load(bias + Hb + j));
      }
      const r = sigmoidv(ar);
      v128.store(s + j, r);
      v128.store(s + Hb + j, sigmoidv(az));
      if (!resetAfter) v128.store(q + h + j, f32x4.mul(r, v128.load(hPrev + h + j)));
    }
  }
}

/** n and h_t from ghN (+ b_hn): saves n and ghN; u = 1 − z (PyTorch) or z (textbook) weighs n. */
export function gruForwardN(
  B: i32, H: i32, gx: usize, ghN: usize, bias: usize, hPrev: usize, saved: usize, hNext: usize,
  resetAfter: i32, zKeepsOld: i32,
): void {
  const Hb = <usize>(H * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const x = gx + <usize>b * 3 * Hb, s = saved + <usize>b * 4 * Hb, h = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      let ghn = v128.load(ghN + h + j);
      if (bias) ghn = f32x4.add(ghn, v128.load(bias + 2 * Hb + j));
      const r = v128.load(s + j), z = v128.load(s + Hb + j);
      const n = tanhv(f32x4.add(v128.load(x + 2 * Hb + j), resetAfter ? f32x4.mul(r, ghn) : ghn));
      v128.store(s + 2 * Hb + j, n);
      v128.store(s + 3 * Hb + j, ghn);
      const u = zKeepsOld ? f32x4.sub(one, z) : z;
      const hp = v128.load(hPrev + h + j);
      v128.store(hNext + h + j, f32x4.add(f32x4.mul(u, n), f32x4.mul(f32x4.sub(one, u), hp)));
    }
  }
}

/**
 * First part of the backward step: dh_{t−1} += dh ⊙ (1 − u); the gradients of the n and z
 * pre-activations; dGhN and dr ("after") or dGhN and q ("before", finished by gruBackwardBefore).
 */
export function gruBackwardNZ(
  B: i32, H: i32, saved: usize, hPrev: usize, dhNext: usize, dhPrev: usize,
  dGx: usize, dGhRZ: usize, dGhN: usize, dr: usize, q: usize, resetAfter: i32, zKeepsOld: i32,
): void {
  const Hb = <usize>(H * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const s = saved + <usize>b * 4 * Hb, x = dGx + <usize>b * 3 * Hb, g = dGhRZ + <usize>b * 2 * Hb, h = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      const r = v128.load(s + j), z = v128.load(s + Hb + j), n = v128.load(s + 2 * Hb + j);
      const hp = v128.load(hPrev + h + j);
      const dh = v128.load(dhNext + h + j);
      const u = zKeepsOld ? f32x4.sub(one, z) : z;
      const du = f32x4.mul(dh, f32x4.sub(n, hp));
      const dz = zKeepsOld ? f32x4.neg(du) : du;
      v128.store(dhPrev + h + j, f32x4.add(v128.load(dhPrev + h + j), f32x4.mul(dh, f32x4.sub(one, u))));
      const dan = f32x4.mul(f32x4.mul(dh, u), f32x4.sub(one, f32x4.mul(n, n)));
      v128.store(x + 2 * Hb + j, dan);
      const daz = f32x4.mul(dz, f32x4.mul(z, f32x4.sub(one, z)));
      v128.store(x + Hb + j, daz);
      v128.store(g + Hb + j, daz);
      if (resetAfter) {
        v128.store(dGhN + h + j, f32x4.mul(dan, r));
        v128.store(dr + h + j, f32x4.mul(dan, v128.load(s + 3 * Hb + j)));
      } else {
        v128.store(dGhN + h + j, dan);
        v128.store(q + h + j, f32x4.mul(r, hp));
      }
    }
  }
}

/** "before" only, after dq = dGhN·W_hn: dr = dq ⊙ h_{t−1}, dh_{t−1} += dq ⊙ r. */
export function gruBackwardBefore(B: i32, H: i32, saved: usize, hPrev: usize, dq: usize, dr: usize, dhPrev: usize): void {
  const Hb = <usize>(H * 4);
  for (let b = 0; b < B; b++) {
    const s = saved + <usize>b * 4 * Hb, h = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      const d = v128.load(dq + h + j);
      v128.store(dr + h + j, f32x4.mul(d, v128.load(hPrev + h + j)));
      v128.store(dhPrev + h + j, f32x4.add(v128.load(dhPrev + h + j), f32x4.mul(d, v128.load(s + j))));
    }
  }
}

/** The r pre-activation's gradient dr ⊙ r(1 − r), into dGx and dGhRZ. */
export function gruBackwardR(B: i32, H: i32, saved: usize, dr: usize, dGx: usize, dGhRZ: usize): void {
  const Hb = <usize>(H * 4);
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const s = saved + <usize>b * 4 * Hb, h = <usize>b * Hb;
    for (let j: usize = 0; j < Hb; j += 16) {
      const r = v128.load(s + j);
      const dar = f32x4.mul(v128.load(dr + h + j), f32x4.mul(r, f32x4.sub(one, r)));
      v128.store(dGx + <usize>b * 3 * Hb + j, dar);
      v128.store(dGhRZ + <usize>b * 2 * Hb + j, dar);
    }
  }
}
