/**
 * The cell diagram's payload for real LSTM/GRU/RNN traces: schema-valid, values equal to the
 * trace, the drawing bound to quantities the payload has, a static picture at the last step.
 */
import { describe, expect, it } from "vitest";
import { GRU, LSTM, RNN, manualSeed, plot, randn, type LSTMTraceEntry } from "../../src/index.js";
import { CELL_KEYS, validatePlot, type CellPlot } from "../../src/plot/schema.js";
import { boundColor, cellDiagram, colorOf, stepMean } from "../../src/plot/drawing.js";
import { checkXml } from "./xml-check.js";

function lstmTrace(T = 5, layers = 1, bidirectional = false) {
  manualSeed(4);
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: layers, bidirectional, dtype: "float64" });
  return lstm.forward(randn([T, 2, 3], { dtype: "float64" }), null, { trace: true })[2];
}

describe("plot.cell", () => {
  it("builds a schema-valid LSTM payload whose values equal the chosen layer, direction and sequence", () => {
    const trace = lstmTrace(5, 2, true);
    const p = plot.cell(trace, { layer: 1, direction: "reverse", batch: 1, show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect([p.cell, p.layer, p.direction, p.units]).toEqual(["lstm", 1, "reverse", 4]);
    expect(p.panels.map((q) => q.key)).toEqual([...CELL_KEYS.lstm]);
    const entry = trace.find((e) => e.layer === 1 && e.direction === "reverse") as LSTMTraceEntry;
    for (const [k, key] of CELL_KEYS.lstm.entries()) {
      for (let t = 0; t < 5; t++) for (let u = 0; u < 4; u++) expect(p.panels[k]!.z[t]![u]).toBe(entry[key].data[(t * 2 + 1) * 4 + u]);
    }
    expect(p.steps).toEqual([0, 1, 2, 3, 4]);
  });

  it("draws GRU and RNN cells with the quantities their diagrams bind", () => {
    manualSeed(5);
    const x = randn([4, 1, 3], { dtype: "float64" });
    for (const [Model, kind] of [[GRU, "gru"], [RNN, "rnn"]] as const) {
      const m = new Model({ inputSize: 3, hiddenSize: 5, dtype: "float64" });
      const p = plot.cell(m.forward(x, null, { trace: true })[2], { show: false, tokens: ["a", "b", "c", "d"] });
      expect(p.cell).toBe(kind);
      expect(p.panels.map((q) => q.key)).toEqual([...CELL_KEYS[kind]]);
      const keys = new Set(cellDiagram(kind).shapes.flatMap((s) => [s.paint?.key, s.value?.key, s.contrast?.key]).filter(Boolean));
      for (const key of keys) expect(CELL_KEYS[kind] as readonly string[]).toContain(key);
      checkXml(plot.cellSvg(p));
    }
  });

  it("paints each bound shape with the colour of the mean over units (t − 1 for previous-step wires)", () => {
    const p = plot.cell(lstmTrace(), { show: false });
    const f = p.panels[1]!;
    const mean = f.z[2]!.reduce((a: number, v) => a + (v ?? 0), 0) / 4;
    expect(stepMean(f, 2)).toBeCloseTo(mean, 14);
    expect(boundColor(p.panels, { key: "f" }, 2)).toBe(colorOf(mean, 0, 1, "sequential"));
    const c = p.panels[4]!;
    expect(boundColor(p.panels, { key: "c", previous: true }, 2)).toBe(colorOf(stepMean(c, 1), c.zmin, c.zmax, "diverging"));
    // Before the first step the state is unknown: a gap colour, not a made-up zero.
    expect(boundColor(p.panels, { key: "c", previous: true }, 0)).toBe(colorOf(null, 0, 1, "diverging"));
  });

  it("has a static picture of the last step and a text table", () => {
    const p = plot.cell(lstmTrace(), { tokens: ["I", "like", "<b>pizza</b>", ".", "&"], show: false });
    const svg = plot.cellSvg(p);
    checkXml(svg);
    expect(svg).toContain("t=4 (&amp;)");
    const f = p.panels[1]!;
    expect(svg).toContain(`fill="${boundColor(p.panels, { key: "f" }, 4)}" data-part="box-f"`);
    expect(svg).toContain(`>mean ${stepMean(f, 4)!.toFixed(3)}<`);
    const text = plot.cellText(p);
    expect(text).toMatch(/^2 +<b>pizza<\/b>/m);
  });

  it("says that the one number in each box is the mean over the units", () => {
    const p = plot.cell(lstmTrace(), { show: false });
    const svg = plot.cellSvg(p);
    const values = [...svg.matchAll(/data-part="value-(\w+)">([^<]*)</g)].map((m) => [m[1], m[2]]);
    expect(values.map(([key]) => key)).toEqual(["f", "i", "g", "o"]);
    for (const [, text] of values) expect(text).toMatch(/^mean -?\d\.\d{3}$/);
    expect(svg).toMatch(/data-part="caption">numbers in the boxes: mean over the 4 units; the bar charts show each unit</);
    // The interactive view draws the same shapes: the caption is part of the shared diagram.
    expect(cellDiagram("gru", 1).shapes.find((s) => s.part === "caption")?.text).toMatch(/mean over the 1 unit;/);
  });

  it("turns NaN into gaps and explains bad options", () => {
    const trace = lstmTrace();
    (trace[0] as LSTMTraceEntry).h.data[0] = Number.NaN;
    const p = plot.cell(trace, { show: false });
    expect(p.panels[5]!.z[0]![0]).toBeNull();
    expect(() => plot.cell(trace, { layer: 3, show: false })).toThrow(/no layer 3 forward; it holds layer 0 forward/);
    expect(() => plot.cell(trace, { tokens: ["x"], show: false })).toThrow(/1 tokens for 5 time steps/);
    expect(() => plot.cell([], { show: false })).toThrow(/empty/);
  });

  it("rejects payloads the diagram cannot draw", () => {
    const good = JSON.parse(JSON.stringify(plot.cell(lstmTrace(), { show: false }))) as CellPlot;
    const bad: [string, (p: CellPlot) => unknown, RegExp][] = [
      ["a missing gate", (p) => ({ ...p, panels: p.panels.slice(1) }), /panels must be i, f, g, o, c, h/],
      ["a GRU label on LSTM panels", (p) => ({ ...p, cell: "gru" }), /panels must be r, z, n, h/],
      ["steps that do not match", (p) => ({ ...p, steps: [0] }), /steps must be 5/],
      ["Infinity", (p) => { p.panels[0]!.z[0]![0] = Infinity; return p; }, /finite numbers or null/],
      ["zero units", (p) => ({ ...p, units: 0 }), /units must be an integer in \[1/],
    ];
    for (const [, mutate, message] of bad) {
      const r = validatePlot(mutate(JSON.parse(JSON.stringify(good)) as CellPlot));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});
