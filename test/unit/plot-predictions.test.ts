/**
 * plot.predictions from a trained tiny LSTM language model's logits: top-k equal to softmax of
 * the logits, the true next token with its rank, probabilities accepted as they are, static SVG,
 * hostile vocabularies, NaN, limits and errors.
 */
import { describe, expect, it } from "vitest";
import { plot, softmax, tensor } from "../../src/index.js";
import { validatePlot, type PredictionsPlot } from "../../src/plot/schema.js";
import { INPUT_TOKENS, TARGET_TOKENS, VOCAB, trainTiny } from "./plot-models.js";

const { logits } = trainTiny("lstm", 30);
const V = VOCAB.length;
const T = INPUT_TOKENS.length;

/** softmax(logits) through the library's own op, as rows. */
function probsOf(): number[][] {
  const p = softmax(logits, -1);
  return Array.from({ length: T }, (_, s) => Array.from(p.data.subarray(s * V, (s + 1) * V)));
}

describe("plot.predictions", () => {
  it("shows, per step, the k most probable next tokens of softmax(logits) and the true next token", () => {
    const p = plot.predictions({ probs: logits, vocab: VOCAB, tokens: INPUT_TOKENS, targets: TARGET_TOKENS, show: false });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    expect(p.k).toBe(3);
    expect(p.vocabSize).toBe(V);
    const probs = probsOf();
    p.steps.forEach((step, s) => {
      expect(step.t).toBe(s);
      expect(step.input).toBe(INPUT_TOKENS[s]);
      const sorted = probs[s]!.map((q, id) => ({ token: VOCAB[id]!, p: q })).sort((a, b) => b.p - a.p);
      step.top.forEach((bar, j) => {
        expect(bar.token).toBe(sorted[j]!.token);
        expect(bar.p).toBeCloseTo(sorted[j]!.p, 12);
      });
      expect(step.target!.token).toBe(TARGET_TOKENS[s]);
      expect(step.target!.rank).toBe(sorted.findIndex((e) => e.token === TARGET_TOKENS[s]) + 1);
    });
    // The lecture's walk: after "I" comes "like"; after "like" both "pizza" and "cake" are in the top 3.
    expect(p.steps[0]!.top[0]!.token).toBe("like");
    expect(p.steps[1]!.top.map((b) => b.token)).toEqual(expect.arrayContaining(["pizza", "cake"]));
  });

  it("takes probabilities as given (arrays), target ids, and a target outside the top k", () => {
    const probs = [[0.5, 0.3, 0.2, 0, 0], [0.1, 0.2, 0.3, 0.4, 0]];
    const vocab = ["a", "b", "c", "d", "e"];
    const p = plot.predictions({ probs, vocab, targets: [4, 0], k: 2, show: false });
    expect(p.steps[0]!.top).toEqual([{ token: "a", p: 0.5 }, { token: "b", p: 0.3 }]);
    // Ties keep vocabulary order: d (0) before e (0); e is ranked 5th.
    expect(p.steps[0]!.target).toEqual({ token: "e", p: 0, rank: 5 });
    expect(p.steps[1]!.target).toEqual({ token: "a", p: 0.1, rank: 4 });
    expect(p.steps[1]!.input).toBe("t=1");
    const svg = plot.predictionsSvg(p);
    expect(svg).toContain("e (#5)");
    // Forcing "logits" applies softmax even to rows that look like distributions.
    const l = plot.predictions({ probs, vocab, from: "logits", show: false });
    const e = probs[0]!.map(Math.exp);
    expect(l.steps[0]!.top[0]!.p).toBeCloseTo(e[0]! / e.reduce((a, v) => a + v, 0), 12);
  });

  it("reads (T, V) and (B, T, V) tensors, choosing the sequence with batch", () => {
    const t = tensor([[[0, 1, 2]], [[5, 0, 0]]]); // (2, 1, 3)
    const p = plot.predictions({ probs: t, vocab: ["x", "y", "z"], batch: 1, k: 1, show: false });
    expect(p.steps[0]!.top[0]!.token).toBe("x");
    expect(() => plot.predictions({ probs: t, vocab: ["x", "y", "z"], batch: 2, show: false })).toThrow(/batch 2 is out of range; probs holds 2/);
    expect(() => plot.predictions({ probs: tensor([1, 2, 3]), vocab: ["x", "y", "z"], show: false })).toThrow(/shape \(T, V\) or \(B, T, V\), got \(3\)/);
  });

  it("keeps hostile tokens as data, escapes them in the SVG and gives NaN a gap ranked last", () => {
    const vocab = ["<img src=x onerror=alert(1)>", "&amp;", "ok"];
    const p = plot.predictions({ probs: [[Number.NaN, 0.2, 0.8]], vocab, tokens: ["<b>x</b>"], from: "probs", k: 3, targets: [0], show: false });
    expect(p.steps[0]!.top.map((b) => b.token)).toEqual(["ok", "&amp;", "<img src=x onerror=alert(1)>"]);
    expect(p.steps[0]!.top[2]!.p).toBeNull();
    expect(p.steps[0]!.target).toEqual({ token: vocab[0], p: null, rank: 3 });
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    const svg = plot.predictionsSvg(p);
    expect(svg).not.toMatch(/<img|<b>/);
    expect(svg).toContain("&amp;amp;");
    expect(plot.predictionsText(p)).toMatch(/ok 0\.8/);
  });

  it("cuts labels longer than the schema allows instead of failing", () => {
    const long = "x".repeat(10_000);
    const p = plot.predictions({ probs: [[0.9, 0.1]], vocab: [long, "b"], tokens: [long], targets: [long], title: long, show: false });
    expect(p.steps[0]!.top[0]!.token).toHaveLength(200);
    expect(p.steps[0]!.top[0]!.token.endsWith("…")).toBe(true);
    expect(p.steps[0]!.target!.rank).toBe(1);
    expect(p.steps[0]!.input).toHaveLength(200);
    expect(p.title).toHaveLength(200);
  });

  it("downsamples very long inputs to 2,000 evenly spaced steps", () => {
    const probs = Array.from({ length: 5000 }, (_, s) => [s % 2, 1 - (s % 2)]);
    const p = plot.predictions({ probs, vocab: ["odd", "even"], k: 1, show: false });
    expect(p.steps).toHaveLength(2000);
    expect(p.steps.at(-1)!.t).toBe(4999);
    expect(p.note).toMatch(/2000 evenly spaced of 5000 steps/);
    expect(plot.predictionsSvg(p)).toContain("first 12 of 2000 steps");
  });

  it("explains bad input", () => {
    expect(() => plot.predictions({ probs: [], vocab: ["a"], show: false })).toThrow(/0 steps/);
    expect(() => plot.predictions({ probs: [[1]], vocab: [], show: false })).toThrow(/vocabulary is empty/);
    expect(() => plot.predictions({ probs: [[0.5, 0.5]], vocab: ["a"], show: false })).toThrow(/step 0 has 2 probabilities but the vocabulary has 1/);
    expect(() => plot.predictions({ probs: [[1]], vocab: ["a"], targets: ["zz"], show: false })).toThrow(/target "zz" at step 0 is not in the vocabulary/);
    expect(() => plot.predictions({ probs: [[1]], vocab: ["a"], targets: [], show: false })).toThrow(/0 targets for 1 steps/);
    expect(() => plot.predictions({ probs: [[1]], vocab: ["a"], k: 0, show: false })).toThrow(/k must be an integer from 1 to 50/);
  });

  it("rejects malformed payloads", () => {
    const good = (): PredictionsPlot => JSON.parse(JSON.stringify(plot.predictions({ probs: logits, vocab: VOCAB, targets: TARGET_TOKENS, show: false })));
    const cases: [(p: PredictionsPlot) => unknown, RegExp][] = [
      [(p) => { p.steps[0]!.top[0]!.p = 1.5; return p; }, /steps\[0\]\.top\[0\]\.p: 1\.5 is above 1/],
      [(p) => { p.steps[1]!.top.pop(); return p; }, /steps\[1\]\.top must hold 3 bars/],
      [(p) => { p.steps[2]!.target!.rank = 0; return p; }, /steps\[2\]\.target\.rank: 0 is below 1/],
      [(p) => ({ ...p, k: 500 }), /k: 500 is above 50/],
      [(p) => ({ ...p, steps: [] }), /steps must be a non-empty array/],
      [(p) => { (p.steps[0]!.top[1] as unknown as { token: unknown }).token = null; return p; }, /top\[1\]\.token must be a string/],
    ];
    for (const [mutate, message] of cases) {
      const r = validatePlot(mutate(good()));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.errors.join("\n")).toMatch(message);
    }
  });
});

describe("plot.predictions: the step it opens at", () => {
  it("opens at `at` (the t a notebook discusses), which the static picture marks and includes", () => {
    const p = plot.predictions({ probs: logits, vocab: VOCAB, tokens: INPUT_TOKENS, targets: TARGET_TOKENS, at: 1, show: false });
    expect(p.at).toBe(1);
    expect(validatePlot(JSON.parse(JSON.stringify(p))).ok).toBe(true);
    const svg = plot.predictionsSvg(p);
    expect(svg).toContain(`after “${INPUT_TOKENS[1]}” ◀`);
    expect(svg).toContain("◀ the step the interactive view opens at (t=1)");
    expect(plot.predictions({ probs: logits, vocab: VOCAB, show: false }).at).toBe(0);
  });

  it("shows a window of steps around `at` on a long input, and snaps to a kept step when downsampled", () => {
    const long = Array.from({ length: 40 }, (_, s) => VOCAB.map((_, id) => (id === s % VOCAB.length ? 0.9 : 0.1 / (VOCAB.length - 1))));
    const svg = plot.predictionsSvg(plot.predictions({ probs: long, vocab: VOCAB, at: 30, show: false }));
    expect(svg).toContain("after “t=30” ◀");
    expect(svg).toMatch(/steps \d+–\d+ of 40 steps/);
    const huge = Array.from({ length: 4001 }, () => VOCAB.map(() => 1 / VOCAB.length));
    const p = plot.predictions({ probs: huge, vocab: VOCAB, at: 1, show: false });
    expect(p.steps.some((s) => s.t === p.at)).toBe(true);
  });

  it("explains a bad `at`, and the schema refuses an `at` that is no step", () => {
    expect(() => plot.predictions({ probs: logits, vocab: VOCAB, at: T, show: false })).toThrow(`plot.predictions: at must be a step from 0 to ${T - 1}, got ${T}`);
    expect(() => plot.predictions({ probs: logits, vocab: VOCAB, at: 0.5, show: false })).toThrow(/at must be a step/);
    const p = JSON.parse(JSON.stringify(plot.predictions({ probs: logits, vocab: VOCAB, show: false }))) as PredictionsPlot;
    expect(validatePlot({ ...p, at: 99 })).toEqual({ ok: false, errors: ["at must be the t of one of the steps, got 99"] });
    expect(validatePlot({ ...p, at: -1 }).ok).toBe(false);
  });
});
