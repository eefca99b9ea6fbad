// AssemblyScript. One Adam (or AdamW) step on n float32 parameters, four at a time: the
// WebAssembly twin of the loop in src/optim/adam.ts (read the equations there). It computes in
// float32, in the order of torch.optim.Adam's single-tensor step:
//   p ← p·shrink   g ← g + wd·p      (AdamW: shrink = 1 − lr·wd and wd = 0; Adam: shrink = 1)
//   m ← β1·m + (1 − β1)·g           v ← β2·v + (1 − β2)·g²
// 1 − β1 and 1 − β2 come in computed in double, as PyTorch computes them in Python: 1 − β2 in
// float32 from a float32 β2 = 0.999 is 1.3e-5 off.
//   p ← p − stepSize · m / (√v / √(1 − β2ᵗ) + eps)

export function adamStep(
  n: i32, p: usize, g: usize, m: usize, v: usize,
  beta1: f32, oneMinusBeta1: f32, beta2: f32, oneMinusBeta2: f32, stepSize: f32, bc2Sqrt: f32, eps: f32, wd: f32, shrink: f32,
): void {
  const b1 = f32x4.splat(beta1), a1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2), a2 = f32x4.splat(oneMinusBeta2);
  const step = f32x4.splat(stepSize), bc2 = f32x4.splat(bc2Sqrt), e = f32x4.splat(eps);
  const w = f32x4.splat(wd), s = f32x4.splat(shrink);
  const n4 = <usize>(n & ~3) * 4;
  for (let q: usize = 0; q < n4; q += 16) {
    const pv = f32x4.mul(v128.load(p + q), s);
    const gv = f32x4.add(v128.load(g + q), f32x4.mul(w, pv));
    const mv = f32x4.add(f32x4.mul(b1, v128.load(m + q)), f32x4.mul(a1, gv));
    const vv = f32x4.add(f32x4.mul(b2, v128.load(v + q)), f32x4.mul(a2, f32x4.mul(gv, gv)));
    v128.store(m + q, mv);
    v128.store(v + q, vv);
    const denom = f32x4.add(f32x4.div(f32x4.sqrt(vv), bc2), e);
    v128.store(p + q, f32x4.sub(pv, f32x4.mul(step, f32x4.div(mv, denom))));
  }
  for (let q = n4; q < <usize>n * 4; q += 4) {
    const pk = load<f32>(p + q) * shrink;
    const gk = load<f32>(g + q) + wd * pk;
    const mk = beta1 * load<f32>(m + q) + oneMinusBeta1 * gk;
    const vk = beta2 * load<f32>(v + q) + oneMinusBeta2 * (gk * gk);
    store<f32>(m + q, mk);
    store<f32>(v + q, vk);
    store<f32>(p + q, pk - stepSize * (mk / (Mathf.sqrt(vk) / bc2Sqrt + eps)));
  }
}
