/**
 * plot.saturation from trained LSTM and GRU traces: fractions recounted from the trace by hand,
 * schema-valid, static SVG, every layer/direction, clear errors.
 */
import { describe, expect, it } from "vitest";
import { GRU, manualSeed, plot, randn } from "../../src/index.js";
import { validatePlot, type SaturationPlot } from "../../src/plot/schema.js";
import { trainTiny } from "./plot-models.js";

describe("plot.saturation", () => {
  const { trace } = trainTiny("lstm", 20);

  it("counts, per unit of i, f and o, the steps below 0.1 and above 0.9", () => {
    const p = plot.saturation(trace, { show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.cell).toBe("lstm");
    expect(p.threshold).toEqual([0.1, 0.9]);
    const entry = trace[0]!;
    const [T, , H] = entry.h.shape as [number, number, number];
    expect(p.samples).toBe(T);
    expect(p.units).toBe(H);
    expect(p.entries[0]!.gates.map((g) => g.key)).toEqual(["i", "f", "o"]);
    for (const gate of p.entries[0]!.gates) {
      const t = (entry as unknown as Record<string, { data: ArrayLike<number> }>)[gate.key]!;
      for (let u = 0; u < H; u++) {
        const column = Array.from({ length: T }, (_, s) => t.data[s * H + u]!);
        expect(gate.left[u]).toBe(column.filter((v) => v < 0.1).length / T);
        expect(gate.right[u]).toBe(column.filter((v) => v > 0.9).length / T);
      }
    }
    // A trained model on this tiny corpus has made some hard decisions.
    expect(p.entries[0]!.gates.some((g) => g.right.some((v) => v! > 0))).toBe(true);
  });

  it("takes other thresholds, one batch or all, and every layer/direction of a GRU", () => {
    manualSeed(5);
    const gru = new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, bidirectional: true, dtype: "float64" });
    const [, , tr] = gru.forward(randn([6, 3, 3], { dtype: "float64" }), null, { trace: true });
    const all = plot.saturation(tr, { threshold: [0.4, 0.6], show: false });
    expect(all.samples).toBe(18);
    expect(all.entries.map((e) => `${e.layer}/${e.direction}`)).toEqual(["0/forward", "0/reverse", "1/forward", "1/reverse"]);
    expect(all.entries[0]!.gates.map((g) => g.key)).toEqual(["r", "z"]);
    const one = plot.saturation(tr, { threshold: [0.4, 0.6], batch: 2, show: false });
    expect(one.samples).toBe(6);
    const z = tr[1]!.z;
    const column = Array.from({ length: 6 }, (_, s) => z.data[(s * 3 + 2) * 5 + 4]!);
    expect(one.entries[1]!.gates[1]!.left[4]).toBe(column.filter((v) => v < 0.4).length / 6);
    const svg = plot.saturationSvg(all);
    expect(svg).toContain("reset gate r");
    expect(svg.match(/stroke-dasharray="3 3"/g)).toHaveLength(2); // the left + right = 1 guide, per gate
    expect(svg).toContain("3 more in the interactive view");
    expect(plot.saturationText(all)).toMatch(/layer 1, reverse/);
  });

  it("skips NaN values in the counts and reports a unit without any finite value as a gap", () => {
    manualSeed(6);
    const gru = new GRU({ inputSize: 2, hiddenSize: 2, dtype: "float64" });
    const [, , tr] = gru.forward(randn([4, 1, 2], { dtype: "float64" }), null, { trace: true });
    for (let s = 0; s < 4; s++) tr[0]!.r.data[s * 2] = Number.NaN;
    tr[0]!.z.data[1] = Number.POSITIVE_INFINITY;
    const p = plot.saturation(tr, { show: false });
    expect(p.entries[0]!.gates[0]!.left[0]).toBeNull();
    const zCol = [1, 2, 3].map((s) => tr[0]!.z.data[s * 2 + 1]!);
    expect(p.entries[0]!.gates[1]!.right[1]).toBe(zCol.filter((v) => v > 0.9).length / 3);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("explains what cannot be plotted", () => {
    expect(() => plot.saturation(trainTiny("rnn", 1).trace, { show: false })).toThrow(/plain RNN has no gates/);
    expect(() => plot.saturation([], { show: false })).toThrow(/trace is empty/);
    expect(() => plot.saturation(trace, { threshold: [0.9, 0.1], show: false })).toThrow(/0 ≤ low ≤ high ≤ 1/);
    expect(() => plot.saturation(trace, { batch: 1, show: false })).toThrow(/batch 1 is out of range/);
  });

  it("rejects malformed payloads", () => {
    const good = (): SaturationPlot => JSON.parse(JSON.stringify(plot.saturation(trace, { show: false })));
    const cases: [(p: SaturationPlot) => unknown, RegExp][] = [
      [(p) => ({ ...p, threshold: [0.9, 0.1] }), /low ≤ high/],
      [(p) => ({ ...p, cell: "rnn" }), /cell must be "lstm" or "gru"/],
      [(p) => { p.entries[0]!.gates[0]!.left[0] = 1.5; return p; }, /gates\[0\]\.left\[0\]: 1\.5 is above 1/],
      [(p) => { p.entries[0]!.gates[2]!.right.pop(); return p; }, /gates\[2\]\.right must have 8 values/],
      [(p) => { (p.entries[0]!.gates[1] as unknown as { label: unknown }).label = 7; return p; }, /gates\[1\]\.label must be a string/],
    ];
    for (const [mutate, message] of cases) {
      const r = validatePlot(mutate(good()));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});
