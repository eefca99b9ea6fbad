/**
 * plot.gradientFlow and plot.gradientHeatmap from real gradient norms (tiny RNN, LSTM and GRU
 * language models after backward): schema-valid, norms equal to gradientNorms, gaps for values a
 * log axis cannot show, static SVG, limits and errors.
 */
import { describe, expect, it } from "vitest";
import { gradientNorms, plot } from "../../src/index.js";
import { validatePlot, type GradientFlowPlot, type GradientHeatmapPlot } from "../../src/plot/schema.js";
import { trainTiny } from "./plot-models.js";

const models = { RNN: trainTiny("rnn", 10), LSTM: trainTiny("lstm", 10), GRU: trainTiny("gru", 10) };
const series = Object.entries(models).map(([name, m]) => ({ name, norms: gradientNorms(m.trace)[0]!.norms }));

describe("plot.gradientFlow", () => {
  it("overlays the models' ‖∂L/∂h_t‖, equal to gradientNorms", () => {
    const p = plot.gradientFlow(series, { show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.view).toBe("flow");
    expect(p.series.map((s) => s.name)).toEqual(["RNN", "LSTM", "GRU"]);
    for (const [k, s] of series.entries()) {
      expect(p.series[k]!.t).toEqual(s.norms.map((_, t) => t));
      expect(p.series[k]!.norms).toEqual(s.norms);
      expect(s.norms.every((v) => v > 0)).toBe(true);
    }
    expect(p.note).toBe("");
  });

  it("leaves zeros and NaN/Inf as gaps and says how many", () => {
    const p = plot.gradientFlow([{ name: "broken", norms: [1, 0, Number.NaN, Number.POSITIVE_INFINITY, -1, 0.5] }], { show: false });
    expect(p.series[0]!.norms).toEqual([1, null, null, null, null, 0.5]);
    expect(p.note).toMatch(/4 values were 0 or not finite: gaps on the log scale/);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("draws a static log-scale picture and a text table, names escaped", () => {
    const p = plot.gradientFlow([...series, { name: "<script>alert(1)</script>", norms: [1e-8, 1e-3, 1] }], { show: false });
    const svg = plot.gradientFlowSvg(p);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("log scale");
    expect(svg).not.toContain("<script");
    expect(svg).toContain("&lt;script&gt;");
    // Three lines plus the hostile one: one path each.
    expect(svg.match(/<path fill="none"/g)).toHaveLength(4);
    const text = plot.gradientFlowText(p);
    expect(text).toMatch(/^t +RNN +LSTM +GRU/m);
  });

  it("downsamples a 10,000-step series to 1,000 evenly spaced steps", () => {
    const norms = Array.from({ length: 10_000 }, (_, t) => 0.9 ** (10_000 - t) + 1e-12);
    const p = plot.gradientFlow([{ name: "long", norms }], { show: false });
    expect(p.series[0]!.t).toHaveLength(1000);
    expect(p.series[0]!.norms[999]).toBe(norms[9999]);
    expect(p.note).toMatch(/1000 evenly spaced of 10000 steps/);
  });

  it("explains bad input", () => {
    expect(() => plot.gradientFlow([], { show: false })).toThrow(/no series/);
    expect(() => plot.gradientFlow([{ name: "x", norms: [] }], { show: false })).toThrow(/series 0 \("x"\) has no norms/);
  });
});

describe("plot.gradientHeatmap", () => {
  const history = models.LSTM.normHistory;

  it("shows the norms recorded after each training step, rows = training steps", () => {
    expect(history).toHaveLength(10);
    const p = plot.gradientHeatmap(history, { trainingSteps: history.map((_, k) => 5 * k), show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.view).toBe("heatmap");
    expect(p.z).toEqual(history);
    expect(p.trainingSteps).toEqual([0, 5, 10, 15, 20, 25, 30, 35, 40, 45]);
    expect(p.t).toEqual([0, 1, 2, 3, 4, 5, 6]);
    const svg = plot.gradientHeatmapSvg(p);
    expect(svg).toContain("log10 ‖∂L/∂h_t‖");
    expect(plot.gradientHeatmapText(p)).toMatch(/training step 0 +training step 45/);
  });

  it("downsamples both axes of a long history, gaps for zeros", () => {
    const big = Array.from({ length: 3000 }, (_, r) => Array.from({ length: 2000 }, (_, t) => (t === 0 ? 0 : (r + 1) * t)));
    const p = plot.gradientHeatmap(big, { show: false });
    expect(p.trainingSteps).toHaveLength(1000);
    expect(p.t).toHaveLength(1000);
    expect(p.z[0]![0]).toBeNull();
    expect(p.note).toMatch(/1000 evenly spaced of 3000 training steps; showing 1000 evenly spaced of 2000 steps; 1000 values were 0/);
  });

  it("explains bad input", () => {
    expect(() => plot.gradientHeatmap([], { show: false })).toThrow(/history is empty/);
    expect(() => plot.gradientHeatmap([[1, 2], [1]], { show: false })).toThrow(/row 1 has 1 time steps; row 0 has 2/);
    expect(() => plot.gradientHeatmap([[1]], { trainingSteps: [1, 2], show: false })).toThrow(/2 trainingSteps for 1 rows/);
  });
});

describe("gradients payload validation", () => {
  it("rejects what a log axis cannot show and malformed fields", () => {
    const flow = (): GradientFlowPlot => JSON.parse(JSON.stringify(plot.gradientFlow(series, { show: false })));
    const map = (): GradientHeatmapPlot => JSON.parse(JSON.stringify(plot.gradientHeatmap(models.GRU.normHistory, { show: false })));
    const cases: [unknown, RegExp][] = [
      [{ ...flow(), view: "pie" }, /view must be "flow" or "heatmap"/],
      [(() => { const p = flow(); p.series[0]!.norms[0] = 0; return p; })(), /series\[0\]\.norms\[0\]: 0 is not above 0/],
      [(() => { const p = flow(); p.series[1]!.norms.pop(); return p; })(), /series\[1\]\.norms must have 7 values/],
      [(() => { const p = flow(); p.series[0]!.t[0] = 0.5; return p; })(), /series\[0\]\.t\[0\]: 0\.5 is not an integer/],
      [(() => { const p = map(); p.z[2]![1] = -1; return p; })(), /z\[2\]\[1\]: -1 is not above 0/],
      [(() => { const p = map(); p.z.pop(); return p; })(), /z must have 10 rows/],
      [{ ...map(), note: 3 }, /note must be a string/],
    ];
    for (const [payload, message] of cases) {
      const r = validatePlot(payload);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});
