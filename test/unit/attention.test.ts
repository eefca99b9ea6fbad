import { describe, expect, it } from "vitest";
import {
  AttentionClassifier, Generator, SelfAttention, ShapeError, Tensor, evaluate, fit, gradcheck, manualSeed, randn, recallTask, softmax, tensor,
} from "../../src/index.js";

describe("SelfAttention", () => {
  it("gradients of output and weights match finite differences (input and all four projections)", () => {
    manualSeed(1);
    const att = new SelfAttention({ embedDim: 3, dtype: "float64" });
    const x = randn([2, 4, 3], { dtype: "float64", requiresGrad: true });
    const params = att.parameters();
    // gradcheck perturbs each input in place, so passing the module's own parameters checks them too.
    const result = gradcheck((xi) => att.forward(xi!), [x, ...params]);
    expect(result.ok).toBe(true);
    expect(result.checked).toBe(2 * 4 * 3 + 4 * (9 + 3));
  });

  it("computes softmax(QKᵀ/√d)V by the equations, rows of A sum to 1, shapes (B,T,d) and (B,T,T)", () => {
    const att = new SelfAttention({ embedDim: 2, dtype: "float64", generator: new Generator(3) });
    const x = randn([1, 3, 2], { dtype: "float64", generator: new Generator(4) });
    const [y, A] = att.forward(x);
    expect(y.shape).toEqual([1, 3, 2]);
    expect(A.shape).toEqual([1, 3, 3]);
    // By hand, one row at a time: scores[t][s] = q_t·k_s / √2.
    const proj = (l: { weight: Tensor; bias: Tensor | null }, t: number) => [0, 1].map((o) =>
      l.bias!.data[o]! + [0, 1].reduce((acc, i) => acc + l.weight.data[o * 2 + i]! * x.data[t * 2 + i]!, 0));
    for (let t = 0; t < 3; t++) {
      const q = proj(att.query, t);
      const scores = [0, 1, 2].map((s) => { const k = proj(att.key, s); return (q[0]! * k[0]! + q[1]! * k[1]!) / Math.SQRT2; });
      const a = softmax(tensor(scores, { dtype: "float64" }), 0).toArray() as number[];
      for (let s = 0; s < 3; s++) expect(A.data[t * 3 + s]).toBeCloseTo(a[s]!, 12);
      const mixed = [0, 1].map((o) => [0, 1, 2].reduce((acc, s) => acc + a[s]! * proj(att.value, s)[o]!, 0));
      for (let o = 0; o < 2; o++) {
        const expected = att.out.bias!.data[o]! + att.out.weight.data[o * 2]! * mixed[0]! + att.out.weight.data[o * 2 + 1]! * mixed[1]!;
        expect(y.data[t * 2 + o]).toBeCloseTo(expected, 12);
      }
    }
  });

  it("permuting the positions permutes the outputs (attention alone ignores order)", () => {
    const att = new SelfAttention({ embedDim: 2, dtype: "float64", generator: new Generator(5) });
    const x = randn([1, 3, 2], { dtype: "float64", generator: new Generator(6) });
    const swapped = tensor([[Array.from(x.data.slice(4, 6)), Array.from(x.data.slice(2, 4)), Array.from(x.data.slice(0, 2))]], { dtype: "float64" });
    const [y] = att.forward(x);
    const [ys] = att.forward(swapped);
    for (let t = 0; t < 3; t++) for (let o = 0; o < 2; o++) expect(ys.data[(2 - t) * 2 + o]).toBeCloseTo(y.data[t * 2 + o]!, 12);
  });

  it("rejects a wrong input shape, naming expected and actual", () => {
    const att = new SelfAttention({ embedDim: 4 });
    expect(() => att.forward(randn([2, 3, 5]))).toThrow(ShapeError);
    expect(() => att.forward(randn([2, 3, 5]))).toThrow(/\(B, T, 4\).*\(2, 3, 5\)/);
  });
});

describe("AttentionClassifier", () => {
  it("learns to recall the token seen 12 steps ago, and keeps its attention weights", () => {
    manualSeed(0);
    const task = recallTask({ lag: 12, n: 256 });
    const model = new AttentionClassifier({ inputSize: task.inputSize, embedDim: 8, numClasses: task.numClasses, maxLength: 13 });
    fit(model, task, { steps: 150, lr: 0.02, batchSize: 64 });
    expect(evaluate(model, recallTask({ lag: 12, n: 256, seed: 1 }))).toBeGreaterThan(0.9);
    expect(model.lastWeights!.shape).toEqual([256, 13, 13]);
    expect(() => model.forward(randn([1, 14, 4]))).toThrow(/T ≤ 13/);
  });
});
