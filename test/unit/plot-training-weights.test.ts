/**
 * Training curves (static and live) and weight heatmaps: schema-valid payloads whose values
 * equal the source, static pictures, NaN/Inf as gaps, hostile labels, limits.
 */
import { describe, expect, it } from "vitest";
import { GRU, LSTM, Linear, manualSeed, plot, randn, tensor } from "../../src/index.js";
import { MAX_WEIGHT_CELLS, validatePlot, type TrainingPlot, type WeightsPlot } from "../../src/plot/schema.js";
import { MAX_PLOT_STEPS } from "../../src/plot/sample.js";
import { checkXml } from "./xml-check.js";

const EVIL = `<img src=x onerror=alert(1)>"&'`;

function run(name: string, lr: number, n = 50) {
  const steps = Array.from({ length: n }, (_, k) => k + 1);
  return { name, hyperparameters: { lr, optimizer: "adam" }, steps, loss: steps.map((s) => 2 / (1 + lr * s)), accuracy: steps.map((s) => 1 - 1 / (1 + lr * s)) };
}

describe("plot.training", () => {
  it("overlays runs with their hyperparameters; values equal the logs", () => {
    const runs = [run("small lr", 0.01), run("large lr", 0.1)];
    const p = plot.training(runs, { show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.metrics).toEqual(["loss", "accuracy"]);
    expect(p.runs.map((r) => r.hyperparameters)).toEqual([{ lr: 0.01, optimizer: "adam" }, { lr: 0.1, optimizer: "adam" }]);
    expect(p.runs[1]!.loss).toEqual(runs[1]!.loss);
    expect(p.runs[0]!.steps).toEqual(runs[0]!.steps);
    expect(p.progress).toBeNull();
    const svg = plot.trainingSvg(p);
    checkXml(svg);
    expect(svg).toContain("large lr (lr=0.1, optimizer=adam)");
    expect(plot.trainingText(p)).toMatch(/large lr +lr=0.1, optimizer=adam +50 +/);
  });

  it("averages long runs into bucket means, keeps NaN/Inf as gaps and hostile names as text", () => {
    const long = run(EVIL, 0.01, 10 * MAX_PLOT_STEPS);
    long.loss[3] = Number.NaN;
    const p = plot.training(long, { show: false });
    expect(p.runs[0]!.steps.length).toBe(MAX_PLOT_STEPS);
    expect(p.runs[0]!.steps[0]).toBe(10); // the bucket's last step
    const first = long.loss.slice(0, 10).filter(Number.isFinite);
    expect(p.runs[0]!.loss[0]).toBeCloseTo(first.reduce((a, v) => a + v, 0) / first.length, 12);
    expect(p.note).toMatch(/means of consecutive steps/);
    const short = run("x", 0.1, 3);
    short.loss[1] = Number.POSITIVE_INFINITY;
    expect(plot.training(short, { show: false }).runs[0]!.loss[1]).toBeNull();
    const svg = plot.trainingSvg(p);
    checkXml(svg);
    expect(svg).not.toContain("<img");
  });

  it("explains mismatched logs and rejects malformed payloads", () => {
    expect(() => plot.training({ name: "r", steps: [1, 2], loss: [1] }, { show: false })).toThrow(/2 steps but 1 loss values/);
    expect(() => plot.training([], { show: false })).toThrow(/no runs/);
    const good = JSON.parse(JSON.stringify(plot.training(run("a", 0.1), { show: false }))) as TrainingPlot;
    const bad: [(p: TrainingPlot) => unknown, RegExp][] = [
      [(p) => ({ ...p, metrics: ["loss", "pie"] }), /metrics must be/],
      [(p) => { p.runs[0]!.steps[3] = 1; return p; }, /must be increasing/],
      [(p) => { (p.runs[0]!.hyperparameters as Record<string, unknown>).lr = { x: 1 }; return p; }, /lr must be a string or a finite number/],
      [(p) => { p.runs[0]!.loss.pop(); return p; }, /loss must have 50 values/],
      [(p) => ({ ...p, progress: { step: 1 } }), /progress.totalSteps/],
    ];
    for (const [mutate, message] of bad) {
      const r = validatePlot(mutate(JSON.parse(JSON.stringify(good)) as TrainingPlot));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});

describe("plot.liveTraining", () => {
  it("adds points, throttles redraws, and always draws the last step with a progress line", async () => {
    const live = plot.liveTraining({ totalSteps: 200, title: "live", hyperparameters: { lr: 0.01 }, throttleMs: 60_000 });
    expect(live.draws).toBe(1); // the empty curve, shown at once
    for (let k = 1; k <= 199; k++) await live.step(k, { loss: 1 / k });
    expect(live.draws).toBe(1); // throttled: nothing due within a minute
    await live.step(200, { loss: 1 / 200 });
    expect(live.draws).toBe(2); // the end is always drawn
    const p = live.payload;
    expect(validatePlot(p).ok).toBe(true);
    expect(p.runs[0]!.loss.length).toBe(200);
    expect(p.runs[0]!.loss[9]).toBe(1 / 10);
    expect(p.progress!.done).toBe(true);
    expect(p.progress!.line).toMatch(/^step 200\/200 · loss 0\.005 · .* steps\/s · done$/);
    expect(plot.trainingText(p)).toContain(p.progress!.line);
  });

  it("redraws every step without throttling, with steps/s and time left while running", async () => {
    const live = plot.liveTraining({ totalSteps: 10, throttleMs: 0 });
    for (let k = 1; k <= 4; k++) {
      await new Promise((r) => setTimeout(r, 5));
      await live.step(k, { loss: 5 - k, accuracy: k / 10 });
    }
    expect(live.draws).toBe(5);
    expect(live.payload.metrics).toEqual(["loss", "accuracy"]);
    const pr = live.payload.progress!;
    expect(pr.stepsPerSecond).toBeGreaterThan(0);
    expect(pr.secondsLeft).toBeCloseTo(6 / pr.stepsPerSecond!, 9);
    expect(pr.line).toMatch(/step 4\/10 · loss 1 · .* steps\/s · \d+ s left/);
    await live.update({ steps: [1, 2, 3, 10], loss: [4, 3, 2, 1] });
    expect(live.payload.progress!.done).toBe(true);
    expect(live.finish().runs[0]!.steps).toEqual([1, 2, 3, 10]);
    expect(() => plot.liveTraining({ totalSteps: 0 })).toThrow(/positive integer/);
  });
});

describe("plot.weights", () => {
  it("labels an LSTM's weight_ih_l0 rows i, f, g, o with values equal to the parameter", () => {
    manualSeed(7);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: "float64" });
    const p = plot.weights(lstm, { name: "weight_ih_l0", show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect([p.rows, p.cols]).toEqual([16, 3]);
    expect(p.blocks.map((b) => [b.key, b.start, b.end])).toEqual([["i", 0, 4], ["f", 4, 8], ["g", 8, 12], ["o", 12, 16]]);
    const w = lstm.namedParameters().find(([n]) => n === "weight_ih_l0")![1];
    for (let r = 0; r < 16; r++) for (let c = 0; c < 3; c++) expect(p.z[r]![c]).toBe(w.data[r * 3 + c]);
    expect(p.zmax).toBe(Math.max(...Array.from(w.data, Math.abs)));
    const svg = plot.weightsSvg(p);
    checkXml(svg);
    for (const label of [">i0<", ">f0<", ">g3<", ">o3<", "forget gate f (rows 4–7)"]) expect(svg).toContain(label);
  });

  it("uses r, z, n for a GRU, no blocks for Linear, and a bias as one column", () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3 });
    expect(plot.weights(gru, { name: "weight_hh_l0", show: false }).blocks.map((b) => b.key)).toEqual(["r", "z", "n"]);
    const bias = plot.weights(gru, { name: "bias_ih_l0", show: false });
    expect([bias.rows, bias.cols, bias.colTitle]).toEqual([9, 1, "bias"]);
    const lin = plot.weights(new Linear({ inFeatures: 3, outFeatures: 2 }), { show: false });
    expect([lin.name, lin.blocks]).toEqual(["weight", []]);
    expect(plot.weights(randn([8, 2]), { gates: "lstm", name: EVIL, show: false }).blocks.length).toBe(4);
    expect(() => plot.weights(gru, { name: "nope", show: false })).toThrow(/no parameter "nope"; it has weight_ih_l0, weight_hh_l0/);
    expect(() => plot.weights(randn([2, 2, 2]), { show: false })).toThrow(/3 dimensions/);
  });

  it("averages big matrices, keeps NaN as gaps, and escapes hostile names", () => {
    const big = plot.weights(randn([3 * MAX_WEIGHT_CELLS, 10]), { name: EVIL, show: false });
    expect(big.z.length).toBe(MAX_WEIGHT_CELLS);
    expect(big.note).toMatch(/averaged/);
    const svg = plot.weightsSvg(big);
    checkXml(svg);
    expect(svg.length).toBeLessThan(300_000);
    expect(svg).not.toContain("<img");
    const nan = plot.weights(tensor([[1, Number.NaN], [Number.NEGATIVE_INFINITY, -2]]), { show: false });
    expect(nan.z).toEqual([[1, null], [null, -2]]);
    expect(nan.zmax).toBe(2);
    const bad = JSON.parse(JSON.stringify(nan)) as WeightsPlot;
    bad.blocks = [{ key: "i", label: "x", start: 1, end: 1 }];
    const r = validatePlot(bad);
    expect(r.ok === false && r.errors.join()).toMatch(/start < end/);
  });
});
