/**
 * plot.states from a trained LSTM's real trace: schema-valid, lines equal to the trace, PCA
 * equal to pca2 of the hidden states, static SVG with escaped labels, gaps for NaN/Inf,
 * downsampling of long sequences, clear errors.
 */
import { describe, expect, it } from "vitest";
import { LSTM, RNN, manualSeed, plot, randn } from "../../src/index.js";
import { pca2 } from "../../src/plot/pca.js";
import { validatePlot, type StatesPlot } from "../../src/plot/schema.js";
import { INPUT_TOKENS, trainTiny } from "./plot-models.js";

const EVIL = "<img src=x onerror=alert(1)>";

describe("plot.states", () => {
  const { trace } = trainTiny("lstm", 20);
  const entry = trace[0]!;
  const H = entry.h.shape[2]!;

  it("builds a valid payload whose lines are the trace's h_t and c_t", () => {
    const p = plot.states(trace, { tokens: INPUT_TOKENS, show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.cell).toBe("lstm");
    expect(p.tokens).toEqual(INPUT_TOKENS);
    expect(p.steps).toEqual(INPUT_TOKENS.map((_, t) => t));
    expect(p.series.map((s) => s.key)).toEqual(["h", "c"]);
    for (const [k, name] of (["h", "c"] as const).entries()) {
      const t = "c" in entry && name === "c" ? entry.c : entry.h;
      for (let s = 0; s < INPUT_TOKENS.length; s++) for (let u = 0; u < H; u++) expect(p.series[k]!.z[s]![u]).toBe(t.data[s * H + u]);
    }
    expect(plot.states(trace, { showCell: false, show: false }).series.map((s) => s.key)).toEqual(["h"]);
  });

  it("projects h_t with PCA: the points are pca2 of the hidden states, one per token", () => {
    const p = plot.states(trace, { tokens: INPUT_TOKENS, show: false });
    const rows = INPUT_TOKENS.map((_, s) => Array.from(entry.h.data.subarray(s * H, (s + 1) * H)));
    const ref = pca2(rows);
    expect(p.pca!.x).toEqual(ref.points.map((q) => q[0]));
    expect(p.pca!.y).toEqual(ref.points.map((q) => q[1]));
    expect(p.pca!.explained).toEqual(ref.explained);
    // The two "like" states are different points: the model knows which sentence it is in.
    const [a, b] = [1, 5];
    expect(Math.hypot(p.pca!.x[a]! - p.pca!.x[b]!, p.pca!.y[a]! - p.pca!.y[b]!)).toBeGreaterThan(0);
  });

  it("has a text view and a static SVG picture with hostile tokens escaped", () => {
    const tokens = [EVIL, "a & b", ...INPUT_TOKENS.slice(2)];
    const p = plot.states(trace, { tokens, show: false });
    expect(p.tokens[0]).toBe(EVIL);
    const svg = plot.statesSvg(p);
    expect(svg.startsWith("<svg")).toBe(true);
    expect(svg).toContain("hidden states h_t, projected by PCA");
    // The PCA points are joined in time order: one path through all 7 of them.
    expect(svg).toMatch(/<path fill="none" stroke="#999999" stroke-width="1" d="M[^"]*(L[^"]*){6}"/);
    expect(svg).toContain("&lt;img src=x");
    expect(svg).not.toContain("<img");
    expect(svg).toContain("a &amp; b");
    const text = plot.statesText(p);
    expect(text).toMatch(/t +token +‖h_t‖ +PC1 +PC2/);
    expect(text.split("\n")).toHaveLength(2 + INPUT_TOKENS.length);
  });

  it("turns NaN/Inf into gaps and leaves those steps out of the PCA", () => {
    manualSeed(3);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const [, , tr] = lstm.forward(randn([5, 1, 2], { dtype: "float64" }), null, { trace: true });
    tr[0]!.h.data[3 * 3 + 1] = Number.NaN;
    tr[0]!.c.data[0] = Number.POSITIVE_INFINITY;
    const p = plot.states(tr, { show: false });
    expect(p.series[0]!.z[3]![1]).toBeNull();
    expect(p.series[1]!.z[0]![0]).toBeNull();
    expect(p.pca!.x[3]).toBeNull();
    expect(p.pca!.x.filter((v) => v !== null)).toHaveLength(4);
    expect(p.note).toMatch(/left out of the PCA/);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("downsamples 10,000 steps to evenly spaced ones (values still the trace's) and caps the lines", () => {
    manualSeed(4);
    const rnn = new RNN({ inputSize: 1, hiddenSize: 40 });
    const [, , tr] = rnn.forward(randn([10_000, 1, 1]), null, { trace: true });
    const p = plot.states(tr, { show: false });
    expect(p.steps).toHaveLength(1000);
    expect(p.steps[0]).toBe(0);
    expect(p.steps.at(-1)).toBe(9999);
    expect(p.unitIds).toHaveLength(32);
    expect(p.note).toMatch(/1000 evenly spaced of 10000 steps/);
    expect(p.note).toMatch(/units 0–31 of 40/);
    const s = p.steps[500]!;
    expect(p.series[0]!.z[500]![7]).toBe(tr[0]!.h.data[s * 40 + 7]);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(plot.statesSvg(p).length).toBeLessThan(400_000);
  });

  it("explains bad input in words", () => {
    expect(() => plot.states([], { show: false })).toThrow(/trace is empty/);
    expect(() => plot.states(trace, { tokens: ["x"], show: false })).toThrow(/1 tokens for 7 time steps/);
    expect(() => plot.states(trace, { layer: 1, show: false })).toThrow(/no layer 1 forward; it holds layer 0 forward/);
    expect(() => plot.states(trace, { batch: 2, show: false })).toThrow(/batch 2 is out of range/);
  });

  it("rejects malformed payloads with a message naming the field", () => {
    const good = (): StatesPlot => JSON.parse(JSON.stringify(plot.states(trace, { show: false }))) as StatesPlot;
    const bad: [(p: StatesPlot) => void, RegExp][] = [
      [(p) => void (p.series[0]!.z[1]![2] = "0.5" as unknown as number), /series\[0\]\.z\[1\]\[2\]: "0\.5" is not a finite number/],
      [(p) => void p.series[1]!.z.pop(), /series\[1\]\.z must have 7 rows/],
      [(p) => void (p.steps = [0, 2, 1, 3, 4, 5, 6]), /steps must be increasing/],
      [(p) => void (p.pca!.x = [1]), /pca\.x must have 7 values/],
      [(p) => void (p.pca!.explained = [2, 0]), /pca\.explained\[0\]: 2 is above 1/],
      [(p) => void ((p as { direction: string }).direction = "up"), /direction must be "forward" or "reverse"/],
      [(p) => void ((p as { series: unknown }).series = []), /series must be a non-empty array/],
    ];
    for (const [mutate, message] of bad) {
      const p = good();
      mutate(p);
      const r = validatePlot(p);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});
