/**
 * plot.attention from a real SelfAttention layer: payload rows equal the weights, the schema
 * accepts it and rejects broken ones, static picture escapes labels, long sequences are cut down.
 */
import { describe, expect, it } from "vitest";
import { Generator, SelfAttention, ShapeError, manualSeed, plot, randn, tensor } from "../../src/index.js";
import { validatePlot, type AttentionPlot } from "../../src/plot/schema.js";

describe("plot.attention", () => {
  manualSeed(3);
  const layer = new SelfAttention({ embedDim: 4, dtype: "float64", generator: new Generator(2) });
  const [, weights] = layer.forward(randn([2, 5, 4], { dtype: "float64" }));
  const tokens = ["a", "b", "c", "d", "e"];

  it("holds A[t][s] of the chosen sequence, every row summing to 1, and validates", () => {
    const p = plot.attention(weights, { tokens, batch: 1, show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.tokens).toEqual(tokens);
    expect(p.positions).toEqual([0, 1, 2, 3, 4]);
    for (let t = 0; t < 5; t++) {
      for (let s = 0; s < 5; s++) expect(p.weights[t]![s]).toBe(weights.data[(5 + t) * 5 + s]);
      expect(p.weights[t]!.reduce<number>((a, v) => a + v!, 0)).toBeCloseTo(1, 12);
    }
  });

  it("text view names the most attended position per query; the SVG escapes labels", () => {
    const A = tensor([[1, 0], [0.25, 0.75]]);
    const p = plot.attention(A, { tokens: ["<b>x</b>", "y"], show: false });
    const text = plot.attentionText(p);
    expect(text).toMatch(/0\s+<b>x<\/b>\s+<b>x<\/b>\s+1/);
    expect(text).toMatch(/1\s+y\s+y\s+0\.75/);
    const svg = plot.attentionSvg(p);
    expect(svg).not.toContain("<b>x</b>");
    expect(svg).toContain("&lt;b&gt;x&lt;/b&gt;");
  });

  it("rejects non-square input, values outside [0, 1], wrong token counts; the schema rejects bad payloads", () => {
    expect(() => plot.attention(randn([2, 3]), { show: false })).toThrow(ShapeError);
    expect(() => plot.attention(tensor([[2, -1], [0, 1]]), { show: false })).toThrow(/probabilities in \[0, 1\], got 2/);
    expect(() => plot.attention(weights, { tokens: ["a"], show: false })).toThrow(/1 tokens for 5/);
    expect(() => plot.attention(weights, { batch: 2, show: false })).toThrow(/batch 2 is out of range/);
    const good = plot.attention(weights, { show: false });
    const bad = (patch: Partial<Record<keyof AttentionPlot, unknown>>) => validatePlot(JSON.parse(JSON.stringify({ ...good, ...patch })));
    expect(bad({ weights: good.weights.slice(1) }).ok).toBe(false);
    expect(bad({ weights: good.weights.map((r) => r.map(() => 1.5)) }).ok).toBe(false);
    expect(bad({ positions: [0, 1] }).ok).toBe(false);
    expect(bad({ weights: good.weights.map((r, t) => (t === 0 ? r.map(() => null) : r)) }).ok).toBe(true);
  });

  it("NaN becomes a gap; 500 positions are cut to 200 evenly spaced ones, with a note", () => {
    const nan = plot.attention(tensor([[Number.NaN, 1], [0.5, 0.5]]), { show: false });
    expect(nan.weights[0]![0]).toBeNull();
    const T = 500;
    const uniform = tensor(new Float32Array(T * T).fill(1 / T), { shape: [T, T] });
    const p = plot.attention(uniform, { show: false });
    expect(p.positions).toHaveLength(200);
    expect(p.positions[199]).toBe(T - 1);
    expect(p.note).toBe("showing 200 evenly spaced of 500 positions");
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(plot.attentionSvg(p).length).toBeLessThan(150_000);
  });
});
