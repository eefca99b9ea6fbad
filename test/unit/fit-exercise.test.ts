import { afterEach, describe, expect, it, vi } from "vitest";
import {
  accuracy, check, checkThat, evaluate, fit, manualSeed, recallTask, RecurrentClassifier, RNN, ShapeError, tensor, WindowClassifier,
} from "../../src/index.js";

describe("accuracy", () => {
  it("counts argmax hits, skipping −100 targets, for (N, C) and (N, T, C) logits", () => {
    const logits = tensor([[2, 1], [0, 3], [5, 1]]);
    expect(accuracy(logits, tensor([0, 1, 1]))).toBeCloseTo(2 / 3);
    expect(accuracy(logits, tensor([0, -100, 1]))).toBeCloseTo(1 / 2);
    expect(accuracy(tensor([[[1, 0], [0, 1]]]), tensor([[0, 0]]))).toBe(0.5);
    expect(() => accuracy(logits, tensor([[0, 1, 1]]))).toThrow(ShapeError);
  });
});

describe("models", () => {
  it("WindowClassifier takes exactly its window and says so otherwise", () => {
    const ff = new WindowClassifier({ window: 2, inputSize: 3, hiddenSize: 4, numClasses: 5 });
    expect(ff.forward(tensor(new Float32Array(2 * 2 * 3), { shape: [2, 2, 3] })).shape).toEqual([2, 5]);
    expect(() => ff.forward(tensor(new Float32Array(3 * 3), { shape: [1, 3, 3] }))).toThrow(/exactly 2 tokens, input \(B, 2, 3\), got \(1, 3, 3\)/);
    expect(ff.numParameters()).toBe(6 * 4 + 4 + 4 * 5 + 5);
  });

  it("RecurrentClassifier: shapes of both readouts; bidirectional reads both directions' h_n", () => {
    const x = recallTask({ lag: 2, n: 3 }).x;
    for (const kind of ["rnn", "lstm", "gru"] as const) {
      const last = new RecurrentClassifier({ kind, inputSize: 4, hiddenSize: 5, numClasses: 4 });
      expect(last.forward(x).shape).toEqual([3, 4]);
      const all = new RecurrentClassifier({ kind, inputSize: 4, hiddenSize: 5, numClasses: 2, readout: "all", bidirectional: true });
      expect(all.forward(x).shape).toEqual([3, 3, 2]);
      expect(all.head.inFeatures).toBe(10);
    }
    // readout "last" of a unidirectional RNN = the head applied to the last output step.
    const m = new RecurrentClassifier({ kind: "rnn", inputSize: 4, hiddenSize: 5, numClasses: 4 });
    const [out] = (m.rnn as RNN).forward(x);
    const viaOutput = m.head.forward(out.select(1, 2));
    expect(Array.from(m.forward(x).data)).toEqual(Array.from(viaOutput.data));
    const [logits, trace] = m.forwardWithTrace(x);
    expect(Array.from(logits.data)).toEqual(Array.from(viaOutput.data));
    expect(trace[0]!.h.shape).toEqual([3, 3, 5]);
  });
});

describe("fit", () => {
  it("learns an easy task (recall the last token) and logs every step", () => {
    manualSeed(0);
    const task = recallTask({ lag: 0, length: 3, n: 128 });
    const model = new RecurrentClassifier({ kind: "rnn", inputSize: 4, hiddenSize: 8, numClasses: 4 });
    const before = evaluate(model, task);
    const seen: number[] = [];
    const log = fit(model, task, { steps: 60, lr: 0.05, batchSize: 32, onStep: (s) => seen.push(s) });
    expect(log.steps).toEqual(Array.from({ length: 60 }, (_, k) => k + 1));
    expect(seen).toEqual(log.steps);
    expect(log.loss[59]!).toBeLessThan(log.loss[0]! / 2);
    const after = evaluate(model, recallTask({ lag: 0, length: 3, n: 128, seed: 9 }));
    expect(after).toBeGreaterThan(0.95);
    expect(after).toBeGreaterThan(before);
    expect(model.training).toBe(true);
  });

  it("logEvery, sgd, clip; mismatched x and y throw", () => {
    const task = recallTask({ lag: 0, n: 16 });
    const model = new RecurrentClassifier({ kind: "gru", inputSize: 4, hiddenSize: 4, numClasses: 4 });
    const log = fit(model, task, { steps: 10, logEvery: 4, optimizer: "sgd", clip: 0.1 });
    expect(log.steps).toEqual([4, 8, 10]);
    expect(log.accuracy.every((a) => a >= 0 && a <= 1)).toBe(true);
    expect(() => fit(model, { x: task.x, y: tensor([0, 1]) })).toThrow(/differ in their first/);
  });

  it("the same seed gives the same run", () => {
    const run = (): number[] => {
      manualSeed(1);
      const model = new RecurrentClassifier({ kind: "lstm", inputSize: 4, hiddenSize: 4, numClasses: 4 });
      return fit(model, recallTask({ lag: 1, n: 64 }), { steps: 5, batchSize: 16 }).loss;
    };
    expect(run()).toEqual(run());
  });
});

describe("exercise checks", () => {
  const lines: string[] = [];
  const spy = vi.spyOn(console, "log").mockImplementation((s: string) => void lines.push(s));
  afterEach(() => void (lines.length = 0));

  it("check: numbers within tol, lists element-wise, strings exactly; says right or not yet with the hint", () => {
    expect(check("sum", 0.1 + 0.2, 0.3)).toBe(true);
    expect(lines.pop()).toMatch(/^✔ right: sum: 0\.3/);
    expect(check("count", 7, 8, { hint: "count the biases" })).toBe(false);
    expect(lines.pop()).toBe("✘ not yet: count: the answer is 7, expected 8 (±8.0e-6) (hint: count the biases)");
    expect(check("probs", [0.5, 0.52], [0.5, 0.5], { tol: 0.05 })).toBe(true);
    expect(check("probs", [0.5, 0.6], [0.5, 0.5], { tol: 0.05 })).toBe(false);
    expect(lines.pop()).toMatch(/\[1\] is 0\.6000, expected 0\.5000 \(±0\.050\)/);
    expect(check("len", [1], [1, 2])).toBe(false);
    expect(lines.pop()).toMatch(/has 1 entries, expected 2/);
    expect(check("word", "cake", "pizza")).toBe(false);
    expect(check("unanswered", undefined, 3)).toBe(false);
    expect(lines.pop()).toMatch(/undefined \(not answered yet\?\)/);
    expect(check("typed", new Float32Array([1, 2]), [1, 2])).toBe(true);
  });

  it("checkThat prints the reason for its verdict", () => {
    expect(checkThat("span", true, "long enough", "too short")).toBe(true);
    expect(lines.pop()).toBe("✔ right: span: long enough");
    expect(checkThat("span", false, "long enough", "too short")).toBe(false);
    expect(lines.pop()).toBe("✘ not yet: span: too short");
    spy.mockClear();
  });
});
