/**
 * The gate-timeline payload: built from a real LSTM/GRU/RNN trace, valid against the schema,
 * values equal to the trace; and the validator's answers to malformed and hostile payloads.
 */
import { describe, expect, it } from "vitest";
import { GRU, LSTM, RNN, manualSeed, plot, randn, tensor } from "../../src/index.js";
import { MIME_TYPE, parsePlot, validatePlot, type GatesPlot } from "../../src/plot/schema.js";

function lstmTrace() {
  manualSeed(1);
  const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, batchFirst: true, dtype: "float64" });
  const x = tensor([[[1, 2], [3, 4], [5, 6]]], { dtype: "float64" });
  const [, , trace] = lstm.forward(x, null, { trace: true });
  return trace;
}

describe("plot.gates", () => {
  it("builds a schema-valid LSTM payload whose values equal the trace", () => {
    const trace = lstmTrace();
    const p = plot.gates(trace, { tokens: ["a", "b", "c"], show: false });
    expect(validatePlot(p).ok).toBe(true);
    expect(p.cell).toBe("lstm");
    expect(p.units).toBe(4);
    const panels = p.entries[0]!.panels;
    expect(panels.map((q) => q.key)).toEqual(["i", "f", "g", "o", "c", "h"]);
    const entry = trace[0]!;
    for (const [k, name] of (["i", "f", "g", "o", "c", "h"] as const).entries()) {
      const t = entry[name];
      for (let s = 0; s < 3; s++) for (let u = 0; u < 4; u++) expect(panels[k]!.z[s]![u]).toBe(t.data[s * 4 + u]);
    }
    // Gates on [0, 1]; signed quantities on a symmetric scale.
    expect([panels[0]!.zmin, panels[0]!.zmax]).toEqual([0, 1]);
    expect(panels[4]!.zmin).toBe(-panels[4]!.zmax);
  });

  it("survives JSON (what the notebook stores) and parses from a string", () => {
    const p = plot.gates(lstmTrace(), { show: false });
    const again = parsePlot(JSON.stringify(p));
    expect(again.ok).toBe(true);
    expect(p.tokens).toEqual(["t=0", "t=1", "t=2"]);
  });

  it("covers GRU and RNN traces and every layer/direction of a bidirectional model", () => {
    manualSeed(2);
    const x = randn([5, 2, 3], { dtype: "float64" });
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, dtype: "float64" });
    const [, , gTrace] = gru.forward(x, null, { trace: true });
    const g = plot.gates(gTrace, { show: false, batch: 1 });
    expect(g.cell).toBe("gru");
    expect(g.entries.map((e) => `${e.layer}/${e.direction}`)).toEqual(["0/forward", "0/reverse", "1/forward", "1/reverse"]);
    expect(g.entries[0]!.panels.map((q) => q.key)).toEqual(["r", "z", "n", "h"]);
    // batch 1 is the second sequence: h at t=0, unit 0 of layer 0 forward.
    expect(g.entries[0]!.panels[3]!.z[0]![0]).toBe(gTrace[0]!.h.data[1 * 4 + 0]);
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4, dtype: "float64" });
    const [, , rTrace] = rnn.forward(x, null, { trace: true });
    expect(plot.gates(rTrace, { show: false }).entries[0]!.panels.map((q) => q.key)).toEqual(["pre", "h"]);
  });

  it("turns NaN and Infinity into gaps (null), never into invalid JSON", () => {
    const trace = lstmTrace();
    trace[0]!.c.data[0] = Number.NaN;
    trace[0]!.c.data[1] = Number.POSITIVE_INFINITY;
    const p = plot.gates(trace, { show: false });
    expect(p.entries[0]!.panels[4]!.z[0]!.slice(0, 2)).toEqual([null, null]);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
  });

  it("explains bad options in words", () => {
    const trace = lstmTrace();
    expect(() => plot.gates(trace, { tokens: ["only one"], show: false })).toThrow(/1 tokens for 3 time steps/);
    expect(() => plot.gates(trace, { batch: 3, show: false })).toThrow(/batch 3 is out of range; the trace holds 1/);
    expect(() => plot.gates([], { show: false })).toThrow(/empty/);
  });

  it("has a text/plain fallback with one row per quantity", () => {
    const p = plot.gates(lstmTrace(), { tokens: ["I", "like", "pizza"], show: false });
    const text = plot.gatesText(p);
    expect(text).toMatch(/I +like +pizza/);
    for (const key of ["i", "f", "g", "o", "c", "h"]) expect(text).toMatch(new RegExp(`^${key} `, "m"));
  });

  it("keeps hostile token labels as plain data (the renderer shows them as text)", () => {
    const evil = "<img src=x onerror=alert(1)>";
    const p = plot.gates(lstmTrace(), { tokens: [evil, "<script>x</script>", "&amp;"], show: false });
    expect(validatePlot(p).ok).toBe(true);
    expect(p.tokens[0]).toBe(evil);
  });

  it("is returned with a one-line summary for tslab to print instead of the JSON", () => {
    const p = plot.gates(lstmTrace(), { show: false });
    const inspect = (p as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")]!;
    expect(inspect()).toBe("[seqlab plot: LSTM gates, 3 steps × 4 units, 1 layer/direction]");
    expect(Object.keys(p)).not.toContain("summary");
  });
});

describe("payload validation", () => {
  const valid = (): GatesPlot => JSON.parse(JSON.stringify(plot.gates(lstmTrace(), { show: false }))) as GatesPlot;

  const rejects: [string, (p: Record<string, unknown>) => unknown, RegExp][] = [
    ["a wrong version", (p) => ({ ...p, version: 2 }), /unsupported payload version 2/],
    ["an unknown kind", (p) => ({ ...p, kind: "<b>pie</b>" }), /unknown plot kind "<b>pie<\/b>"/],
    ["a missing title", (p) => ({ ...p, title: undefined }), /title must be a string/],
    ["tokens that are not strings", (p) => ({ ...p, tokens: [1, 2, 3] }), /tokens must be an array of strings/],
    ["too few rows", (p) => { (p.entries as GatesPlot["entries"])[0]!.panels[0]!.z.pop(); return p; }, /must have 3 rows/],
    ["a string where a number belongs", (p) => { (p.entries as GatesPlot["entries"])[0]!.panels[1]!.z[0]![0] = "1" as unknown as number; return p; }, /values must be finite numbers or null/],
    ["zmin above zmax", (p) => { (p.entries as GatesPlot["entries"])[0]!.panels[1]!.zmin = 2; return p; }, /zmin ≤ zmax/],
    ["an unknown direction", (p) => { (p.entries as { direction: string }[])[0]!.direction = "sideways"; return p; }, /direction must be "forward" or "reverse"/],
    ["no entries", (p) => ({ ...p, entries: [] }), /entries must be a non-empty array/],
    ["a huge label", (p) => ({ ...p, title: "x".repeat(10_000) }), /longer than 200 characters/],
  ];

  it.each(rejects)("rejects %s with a message saying what is wrong", (_, mutate, message) => {
    const result = validatePlot(mutate(valid() as unknown as Record<string, unknown>));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.join("\n")).toMatch(message);
  });

  it("rejects non-objects and broken JSON strings", () => {
    for (const bad of [null, 42, "[1,2]", [], "not json {"]) {
      const r = parsePlot(bad);
      expect(r.ok).toBe(false);
    }
    const r = parsePlot("{ broken");
    expect(r.ok === false && r.errors[0]).toMatch(/not valid JSON/);
  });

  it("uses the MIME type the extension registers", () => {
    expect(MIME_TYPE).toBe("application/vnd.seqlab.v1+json");
  });
});
