/** pca2 on point clouds whose principal axes and variances can be read off by hand. */
import { describe, expect, it } from "vitest";
import { pca2 } from "../../src/plot/pca.js";

describe("pca2", () => {
  it("finds the axes of a cross: variance 8/3 along x, 2/3 along y (ratios 0.8, 0.2)", () => {
    // Mean is 0; Σx² = 8, Σy² = 2, Σxy = 0, so the components are e_x then e_y.
    const p = pca2([[-2, 0], [2, 0], [0, -1], [0, 1]]);
    expect(p.mean).toEqual([0, 0]);
    expect(p.components[0][0]).toBeCloseTo(1, 12);
    expect(p.components[0][1]).toBeCloseTo(0, 12);
    expect(Math.abs(p.components[1][1])).toBeCloseTo(1, 12);
    expect(p.explained[0]).toBeCloseTo(0.8, 12);
    expect(p.explained[1]).toBeCloseTo(0.2, 12);
    // The projections of an axis-aligned cloud are the points themselves (up to PC2's sign).
    const s = Math.sign(p.components[1][1]);
    [[-2, 0], [2, 0], [0, -1], [0, 1]].forEach(([x, y], n) => {
      expect(p.points[n]![0]).toBeCloseTo(x!, 12);
      expect(p.points[n]![1]).toBeCloseTo(s * y!, 12);
    });
  });

  it("finds the diagonal of a shifted, rotated cloud and centres it", () => {
    // Along (1, 1) at distances ±√2, ±2√2; across it at ±√2/2; everything shifted by (10, −3).
    const raw = [[1, 1], [-1, -1], [2, 2], [-2, -2], [0.5, -0.5], [-0.5, 0.5]];
    const p = pca2(raw.map(([x, y]) => [x! + 10, y! - 3]));
    expect(p.mean[0]).toBeCloseTo(10, 12);
    expect(p.mean[1]).toBeCloseTo(-3, 12);
    // Sign convention: the largest entry is positive; for (1, 1)/√2 both are, so no ambiguity.
    expect(p.components[0][0]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(p.components[0][1]).toBeCloseTo(Math.SQRT1_2, 10);
    expect(p.points[2]![0]).toBeCloseTo(2 * Math.SQRT2, 10);
    expect(Math.abs(p.points[4]![1])).toBeCloseTo(Math.SQRT1_2, 10);
    // Σ along = 2 + 2 + 8 + 8 = 20; across = 0.5 + 0.5 = 1.
    expect(p.explained[0]).toBeCloseTo(20 / 21, 10);
    expect(p.explained[1]).toBeCloseTo(1 / 21, 10);
  });

  it("gives the same answer through the Gram matrix when there are fewer points than dimensions", () => {
    // 4 points in 5-D on the e_0 and e_3 axes (N < D, so the Gram path is taken): Σx₀² = 18, Σx₃² = 2.
    const p = pca2([[3, 0, 0, 0, 0], [-3, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, -1, 0]]);
    expect(p.components[0][0]).toBeCloseTo(1, 10);
    expect(Math.abs(p.components[1][3])).toBeCloseTo(1, 10);
    expect(p.explained[0]).toBeCloseTo(0.9, 10);
    expect(p.explained[1]).toBeCloseTo(0.1, 10);
    expect(p.points[0]![0]).toBeCloseTo(3, 10);
    // The sign convention makes a mirrored cloud give mirrored points and the same components.
    const mirrored = pca2([[-3, 0, 0, 0, 0], [3, 0, 0, 0, 0], [0, 0, 0, -1, 0], [0, 0, 0, 1, 0]]);
    expect(mirrored.components[0][0]).toBeCloseTo(1, 10);
    expect(mirrored.points[0]![0]).toBeCloseTo(-3, 10);
  });

  it("handles degenerate inputs: one point, constant points, 1-D points", () => {
    expect(pca2([[1, 2, 3]]).points).toEqual([[0, 0]]);
    const same = pca2([[4, 4], [4, 4]]);
    expect(same.explained).toEqual([0, 0]);
    expect(same.points).toEqual([[0, 0], [0, 0]]);
    const line = pca2([[1], [3]]);
    expect(line.points.map((q) => q[0])).toEqual([-1, 1]);
    expect(line.explained).toEqual([1, 0]);
  });

  it("refuses ragged and non-finite input and empty input", () => {
    expect(() => pca2([])).toThrow(/no points/);
    expect(() => pca2([[1, 2], [3]])).toThrow(/row 1 has 1 values; row 0 has 2/);
    expect(() => pca2([[1, Number.NaN]])).toThrow(/finite/);
  });
});
