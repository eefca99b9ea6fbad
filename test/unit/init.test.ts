import { describe, expect, it } from "vitest";
import { Generator, ShapeError, matmul, orthogonal_, zeros } from "../../src/index.js";

/** Max |A − gain²·I| for A = M Mᵀ (wide or square) or Mᵀ M (tall). */
function offIdentity(m: ReturnType<typeof zeros>, gain: number): number {
  const [R, C] = m.shape as [number, number];
  const g = R <= C ? matmul(m, m.T) : matmul(m.T, m);
  const n = g.shape[0]!;
  let worst = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(g.data[i * n + j]! - (i === j ? gain * gain : 0)));
  return worst;
}

describe("orthogonal_", () => {
  it("square, wide and tall matrices get orthonormal rows/columns, scaled by gain", () => {
    for (const [shape, gain] of [[[6, 6], 1], [[3, 7], 2], [[7, 3], 0.5]] as const) {
      const w = orthogonal_(zeros([...shape], { dtype: "float64" }), { gain, generator: new Generator(1) });
      expect(offIdentity(w, gain)).toBeLessThan(1e-12);
    }
  });

  it("gain is the spectral radius: ‖W^k v‖ = gain^k ‖v‖ for a square W", () => {
    const w = orthogonal_(zeros([5, 5], { dtype: "float64" }), { gain: 1.5, generator: new Generator(2) });
    let v = zeros([5, 1], { dtype: "float64" });
    v.data[0] = 1;
    for (let k = 0; k < 4; k++) v = matmul(w, v);
    expect(Math.hypot(...v.data)).toBeCloseTo(1.5 ** 4, 10);
  });

  it("is deterministic in its generator and rejects non-matrices", () => {
    const a = orthogonal_(zeros([4, 4]), { generator: new Generator(3) });
    const b = orthogonal_(zeros([4, 4]), { generator: new Generator(3) });
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(() => orthogonal_(zeros([4]))).toThrow(ShapeError);
  });
});
