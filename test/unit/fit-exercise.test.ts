import { afterEach, describe, expect, it, vi } from "vitest";
import {
  accuracy, answered, check, checkThat, evaluate, fit, manualSeed, NotAnswered, recallTask, RecurrentClassifier, RNN, seal, sealed, ShapeError, tensor,
  WindowClassifier, WrongAnswer, type Checkable,
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
  const errors = vi.spyOn(console, "error");
  afterEach(() => {
    lines.length = 0;
    // A passing check writes nothing to stderr: nbgrader would score it as a failure.
    expect(errors).not.toHaveBeenCalled();
  });

  /** The message of what `f` threw, after checking its class. */
  const thrown = (f: () => void, type: typeof WrongAnswer | typeof NotAnswered): string => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(type);
      // The student reads the verdict, not a stack trace into the library.
      const [header, ...frames] = (e as Error).stack!.split("\n");
      expect(header).toBe(`${(e as Error).name}: ${(e as Error).message}`);
      expect(frames.filter((f) => /[\\/]src[\\/]/.test(f))).toEqual([]);
      expect(frames.every((f) => /^\s+at /.test(f))).toBe(true);
      return (e as Error).message;
    }
    throw new Error("expected the check to throw");
  };

  it("check: numbers within tol, lists element-wise, strings exactly; right prints, wrong throws with the hint but never the expected value", () => {
    check("sum", 0.1 + 0.2, 0.3);
    expect(lines.pop()).toMatch(/^✔ right: sum: 0\.3/);
    expect(thrown(() => check("count", 7, 8, { hint: "count the biases" }), WrongAnswer))
      .toBe("✘ not yet: count: the answer is 7, which is not right (hint: count the biases)");
    check("probs", [0.5, 0.52], [0.5, 0.5], { tol: 0.05 });
    const probs = thrown(() => check("probs", [0.5, 0.6], [0.5, 0.5], { tol: 0.05 }), WrongAnswer);
    expect(probs).toBe("✘ not yet: probs: [1] is 0.6000, which is not right");
    expect(probs).not.toMatch(/0\.5(?!2)/);
    expect(thrown(() => check("len", [1], [1, 2]), WrongAnswer)).toMatch(/has 1 entries, expected 2/);
    expect(thrown(() => check("word", "cake", "pizza"), WrongAnswer)).not.toMatch(/pizza/);
    expect(thrown(() => check("type", "3", 3), WrongAnswer)).toMatch(/"3", expected a number/);
    check("typed", new Float32Array([1, 2]), [1, 2]);
    expect(lines.pop()).toBe("✔ right: typed: [1, 2]");
    expect(() => check("bad tol", 1, 1, { tol: -1 })).toThrow(/tol must be a positive number, got -1/);
  });

  it("an undefined answer is 'not answered yet', for check and for answered()", () => {
    expect(thrown(() => check("unanswered", undefined, 3), NotAnswered)).toBe("✘ not answered yet: unanswered: the answer is still undefined");
    expect(thrown(() => answered("Exercise 2", null), NotAnswered)).toMatch(/^✘ not answered yet: Exercise 2/);
    answered("Exercise 2", 0);
    expect(lines).toEqual([]);
  });

  it("checkThat prints the reason for a right verdict and throws the reason for a wrong one", () => {
    checkThat("span", true, "long enough", "too short");
    expect(lines.pop()).toBe("✔ right: span: long enough");
    expect(thrown(() => checkThat("span", false, "long enough", "too short"), WrongAnswer)).toBe("✘ not yet: span: too short");
  });

  it("a sealed key judges like the plain value and does not contain it", () => {
    const cases: { expected: Checkable; tol?: number; right: unknown[]; wrong: unknown[] }[] = [
      { expected: 165, right: [165, 165 + 1e-7], wrong: [164, 166, 165.01, "165"] },
      { expected: "delay", right: ["delay"], wrong: ["bigger", "Delay", 0] },
      { expected: true, right: [true], wrong: [false, 1] },
      { expected: 2 / 3, tol: 0.05, right: [2 / 3, 0.62, 0.71, 0.6667 + 0.0374], wrong: [0.6, 0.73, 0.5] },
      { expected: 0.9 ** 20, tol: 1e-3, right: [0.9 ** 20, 0.1216, 0.1207], wrong: [0.1203, 0.123, 0.9 * 20] },
      { expected: [0.5, -0.1], tol: 1e-9, right: [[0.5, -0.1], [0.25 * -0.4 + 0.75 * 0.8, 0.25 * 0.8 + 0.75 * -0.4]], wrong: [[-0.1, 0.5], [0.5], [0.5, -0.1, 0]] },
      { expected: [961, 31], right: [[961, 31]], wrong: [[31, 961], [961, 30]] },
      { expected: ["rnn", [2, "x"]], right: [["rnn", [2, "x"]]], wrong: [["rnn", [2, "y"]], ["lstm", [2, "x"]]] },
    ];
    for (const { expected, tol, right, wrong } of cases) {
      const key = seal(expected, tol === undefined ? {} : { tol });
      expect(key).toMatch(/^seqlab-key:1:[0-9a-f]{12}:/);
      // Past the salt and the tolerance, the key is structure, digests and random bucket offsets:
      // with those taken out, nothing of the value is left.
      const body = key.split(":").slice(4).join(":");
      expect(body.replace(/~[-0-9.e]+\//g, "~/").replace(/[0-9a-f]{10,}/g, "").replace(/,/g, "")).toMatch(/^[[\];=~/]*$/);
      for (const a of right) check("sealed", a, sealed(key), tol === undefined ? {} : { tol });
      for (const a of wrong) expect(() => check("sealed", a, sealed(key))).toThrow(WrongAnswer);
      // Two seals of one answer share nothing: the salt differs.
      expect(seal(expected, tol === undefined ? {} : { tol })).not.toBe(key);
    }
  });

  it("a sealed number is right within tol and wrong beyond 1.25 tol, wherever its buckets fall", () => {
    const tol = 0.01;
    for (let trial = 0; trial < 50; trial++) {
      const x = (trial - 25) * 0.37;
      const key = sealed(seal(x, { tol }));
      for (const d of [-tol, -0.99 * tol, 0, 0.5 * tol, tol * 0.999]) check("x", x + d, key);
      for (const d of [-1.26 * tol, 1.26 * tol, 3 * tol]) expect(() => check("x", x + d, key)).toThrow(WrongAnswer);
    }
  });

  it("a malformed key says what a key looks like", () => {
    expect(() => sealed("165")).toThrow(/expected a key made by seal\(\) \("seqlab-key:1:<salt>:<tol>:<leaves>"\), got "165"/);
    expect(() => sealed("seqlab-key:1:abcd:0.1:[=ab")).toThrow(/a list is not closed/);
    expect(() => sealed("seqlab-key:1:abcd:0.1:?x")).toThrow(/unreadable/);
    expect(() => seal(Number.NaN)).toThrow(/finite numbers, got NaN/);
    spy.mockClear();
  });
});
