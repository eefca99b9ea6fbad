/**
 * plot.bidirectional from a trained bidirectional GRU's trace: forward and backward rows equal
 * the trace, one shared colour scale, static SVG with the concatenation labelled, errors.
 */
import { describe, expect, it } from "vitest";
import { LSTM, RNN, manualSeed, plot, randn } from "../../src/index.js";
import { validatePlot, type BidirectionalPlot } from "../../src/plot/schema.js";
import { INPUT_TOKENS, trainTiny } from "./plot-models.js";

describe("plot.bidirectional", () => {
  const { trace } = trainTiny("gru", 10, { bidirectional: true });
  const H = trace[0]!.h.shape[2]!;

  it("shows both directions' h_t at each token, equal to the trace", () => {
    const p = plot.bidirectional(trace, { tokens: INPUT_TOKENS, show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.units).toBe(H);
    expect(p.tokens).toEqual(INPUT_TOKENS);
    const [fwd, bwd] = [trace.find((e) => e.direction === "forward")!, trace.find((e) => e.direction === "reverse")!];
    for (let s = 0; s < INPUT_TOKENS.length; s++) {
      for (let u = 0; u < H; u++) {
        expect(p.forward[s]![u]).toBe(fwd.h.data[s * H + u]);
        expect(p.backward[s]![u]).toBe(bwd.h.data[s * H + u]);
      }
    }
    const all = [...p.forward.flat(), ...p.backward.flat()].map((v) => Math.abs(v!));
    expect(p.zmax).toBe(Math.max(...all));
  });

  it("picks a layer and a sequence of a stacked, batched model", () => {
    manualSeed(8);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, dtype: "float64" });
    const [, , tr] = lstm.forward(randn([4, 2, 2], { dtype: "float64" }), null, { trace: true });
    const p = plot.bidirectional(tr, { layer: 1, batch: 1, show: false });
    expect(p.layer).toBe(1);
    expect(p.backward[0]![2]).toBe(tr[3]!.h.data[(0 * 2 + 1) * 3 + 2]);
    expect(() => plot.bidirectional(tr, { layer: 2, show: false })).toThrow(/no layer 2 forward/);
  });

  it("has a static picture of the three heatmaps with the halves named, and a text view", () => {
    const p = plot.bidirectional(trace, { tokens: ["<script>", ...INPUT_TOKENS.slice(1)], show: false });
    const svg = plot.bidirectionalSvg(p);
    for (const label of ["forward h_fwd (→)", "backward h_bwd (←)", "[h_fwd ; h_bwd]"]) expect(svg).toContain(label);
    expect(svg).toContain(`rows f0…f${H - 1} forward, b0…b${H - 1} backward`);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;");
    expect(plot.bidirectionalText(p)).toMatch(/\[h_fwd ; h_bwd\] \(16 units\)/);
  });

  it("turns NaN/Inf into gaps and downsamples 10,000 steps", () => {
    manualSeed(9);
    const rnn = new RNN({ inputSize: 1, hiddenSize: 2, bidirectional: true });
    const [, , tr] = rnn.forward(randn([10_000, 1, 1]), null, { trace: true });
    tr[1]!.h.data[0] = Number.NaN;
    const p = plot.bidirectional(tr, { show: false });
    expect(p.backward[0]![0]).toBeNull();
    expect(p.steps).toHaveLength(1000);
    expect(p.forward[999]![1]).toBe(tr[0]!.h.data[9999 * 2 + 1]);
    expect(p.note).toMatch(/1000 evenly spaced of 10000 steps/);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("explains what cannot be plotted", () => {
    expect(() => plot.bidirectional(trainTiny("lstm", 1).trace, { show: false })).toThrow(/no backward direction; build the model with bidirectional: true/);
    expect(() => plot.bidirectional([], { show: false })).toThrow(/trace is empty/);
    expect(() => plot.bidirectional(trace, { tokens: ["a"], show: false })).toThrow(/1 tokens for 7 time steps/);
  });

  it("rejects malformed payloads", () => {
    const good = (): BidirectionalPlot => JSON.parse(JSON.stringify(plot.bidirectional(trace, { show: false })));
    const cases: [(p: BidirectionalPlot) => unknown, RegExp][] = [
      [(p) => { p.backward[0]!.pop(); return p; }, /backward\[0\] must have 8 values/],
      [(p) => { p.forward[1]![1] = Number.NaN; return p; }, /forward\[1\]\[1\]: NaN is not a finite number or null/],
      [(p) => ({ ...p, zmax: 0 }), /zmax: 0 is not above 0/],
      [(p) => ({ ...p, units: 0 }), /units: 0 is below 1/],
      [(p) => ({ ...p, steps: [0, 1] }), /steps must have 7 values/],
    ];
    for (const [mutate, message] of cases) {
      const r = validatePlot(mutate(good()));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});
