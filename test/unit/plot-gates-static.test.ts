/**
 * The gate timeline's static picture and its long/empty sequences: a 10,000-step trace is
 * averaged down (and says so), an empty one shows a message, and the SVG is well formed.
 */
import { describe, expect, it } from "vitest";
import { LSTM, manualSeed, plot, rand, randn, tensor, type LSTMTraceEntry } from "../../src/index.js";
import { GATES_MAX_STEPS, gatesSvg } from "../../src/plot/gates.js";
import { validatePlot } from "../../src/plot/schema.js";
import { checkXml } from "./xml-check.js";

/** A fake one-layer LSTM trace of T steps (gates in [0, 1], states signed), built from tensors. */
function fakeTrace(T: number, H: number): LSTMTraceEntry[] {
  manualSeed(3);
  const gate = () => rand([T, 1, H], { dtype: "float32" });
  const signed = () => randn([T, 1, H], { dtype: "float32" });
  return [{ layer: 0, direction: "forward", key: "l0", i: gate(), f: gate(), g: signed(), o: gate(), c: signed(), h: signed(), dh: null }];
}

describe("plot.gates for long and empty sequences", () => {
  it("averages a 10,000-step trace into bucket means and says so", () => {
    const T = 10_000;
    const trace = fakeTrace(T, 8);
    const p = plot.gates(trace, { show: false });
    expect(validatePlot(p).ok).toBe(true);
    expect(p.title).toMatch(/downsampled from 10000 steps/);
    expect(p.tokens.length).toBe(GATES_MAX_STEPS);
    expect(p.tokens[0]).toBe("t=0–19");
    expect(p.tokens.at(-1)).toBe("t=9980–9999");
    // Column 1 of the forget gate is the mean of steps 20…39 of unit 3.
    const f = trace[0]!.f.data;
    let sum = 0;
    for (let t = 20; t < 40; t++) sum += f[t * 8 + 3]!;
    expect(p.entries[0]!.panels[1]!.z[1]![3]).toBeCloseTo(sum / 20, 12);
    const svg = gatesSvg(p);
    checkXml(svg);
    expect(svg.length).toBeLessThan(600_000);
    expect(svg).toContain("downsampled from 10000 steps");
  });

  it("keeps every step of a short sequence (no note)", () => {
    const p = plot.gates(fakeTrace(GATES_MAX_STEPS, 2), { show: false });
    expect(p.tokens.length).toBe(GATES_MAX_STEPS);
    expect(p.title).not.toMatch(/downsampled/);
  });

  it("shows an empty sequence as a message, not a crash", () => {
    const p = plot.gates(fakeTrace(0, 4), { show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.title).toMatch(/empty sequence/);
    expect(plot.gatesText(p)).toMatch(/no steps/);
    const svg = gatesSvg(p);
    checkXml(svg);
    expect(svg).toContain("no data (empty sequence)");
  });

  it("draws one panel per quantity of a real LSTM trace, labelled with the tokens", () => {
    manualSeed(1);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dtype: "float64" });
    const [, , trace] = lstm.forward(tensor([[[1, 2]], [[3, 4]], [[5, 6]]], { dtype: "float64" }), null, { trace: true });
    const svg = gatesSvg(plot.gates(trace, { tokens: ["I", "like", "<pizza>"], show: false }));
    checkXml(svg);
    for (const label of ["input gate i_t", "forget gate f_t", "candidate memory g_t", "output gate o_t", "cell state c_t", "hidden state h_t"]) expect(svg).toContain(`>${label}<`);
    expect(svg).toContain(">&lt;pizza&gt;<");
    expect(svg).toContain("1 more layer/direction entries");
  });
});
