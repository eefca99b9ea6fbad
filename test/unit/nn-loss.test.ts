import { describe, expect, it } from "vitest";
import {
  CrossEntropyLoss, Embedding, Linear, MSELoss, Module, ShapeError, crossEntropy, gradcheck, mseLoss, randn, tensor,
  type DType, type IndexInput, type Tensor,
} from "../../src/index.js";
import { expectClose, fixtureNames, fromFixture, loadFixture } from "./pytorch-fixtures.js";

const DTYPES: DType[] = ["float64", "float32"];
const tol = (dtype: DType): number => (dtype === "float64" ? 1e-9 : 1e-4);

describe("crossEntropy matches PyTorch", () => {
  const names = fixtureNames(/^cross_entropy_/);
  it("has mean and sum fixtures", () => {
    expect(names.some((n) => n.includes("mean"))).toBe(true);
    expect(names.some((n) => n.includes("sum"))).toBe(true);
  });

  for (const name of names) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype}): loss and grad of logits`, () => {
        const f = loadFixture(name);
        const ref = dtype === "float64" ? f : f.float32;
        const logits = fromFixture(f.logits, dtype, true);
        const loss = crossEntropy(logits, fromFixture(f.targets), { reduction: f.config.reduction, ignoreIndex: f.config.ignore_index });
        expect(loss.shape).toEqual([]);
        const expected = typeof ref.loss === "number" ? ref.loss : ref.loss.value;
        expect(Math.abs(loss.item() - expected) / Math.abs(expected)).toBeLessThanOrEqual(tol(dtype));
        loss.backward();
        expectClose(logits.grad, ref.grads.logits, dtype, "grad logits");
      });
    }
  }

  it("the class form gives the same loss", () => {
    const f = loadFixture("cross_entropy_sum_n6c5");
    const logits = fromFixture(f.logits);
    const targets = fromFixture(f.targets);
    expect(new CrossEntropyLoss({ reduction: "sum" }).forward(logits, targets).item())
      .toBe(crossEntropy(logits, targets, { reduction: "sum" }).item());
  });

  it("unbatched (C,) logits take a scalar target", () => {
    const loss = crossEntropy(tensor([1, 2, 3], { dtype: "float64" }), 2);
    expect(loss.shape).toEqual([]);
    expect(loss.item()).toBeCloseTo(Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3)) - 3, 14);
  });

  it("is stable for huge logits (log-softmax, not log(softmax))", () => {
    const loss = crossEntropy(tensor([[1000, 0, -1000]], { dtype: "float64" }), [1]);
    expect(loss.item()).toBeCloseTo(1000, 9);
  });

  it("(N, C, d) with classes on dim 1 equals the flattened (N·d, C) form", () => {
    const x = randn([2, 3, 4], { dtype: "float64" }); // N=2, C=3, d=4
    const t = [[0, 2, 1, 1], [2, 2, 0, 1]];
    const rows: number[][] = [];
    const flatTargets: number[] = [];
    for (let n = 0; n < 2; n++) {
      for (let s = 0; s < 4; s++) {
        rows.push([0, 1, 2].map((c) => x.data[n * 12 + c * 4 + s]!));
        flatTargets.push(t[n]![s]!);
      }
    }
    const flat = tensor(rows, { dtype: "float64" });
    for (const reduction of ["mean", "sum"] as const) {
      expect(crossEntropy(x, t, { reduction }).item()).toBeCloseTo(crossEntropy(flat, flatTargets, { reduction }).item(), 12);
    }
    const none = crossEntropy(x, t, { reduction: "none" });
    expect(none.shape).toEqual([2, 4]);
    expect(none.toList().map((v) => v.toFixed(10))).toEqual(crossEntropy(flat, flatTargets, { reduction: "none" }).toList().map((v) => v.toFixed(10)));
  });

  it("ignoreIndex drops targets from the loss, the mean's count and the gradient", () => {
    const x = randn([4, 3], { dtype: "float64", requiresGrad: true });
    const loss = crossEntropy(x, [1, -100, 2, -100]);
    const kept = crossEntropy(tensor([Array.from(x.data.subarray(0, 3)), Array.from(x.data.subarray(6, 9))], { dtype: "float64" }), [1, 2]);
    expect(loss.item()).toBeCloseTo(kept.item(), 12);
    loss.backward();
    expect(Array.from(x.grad!.data.subarray(3, 6))).toEqual([0, 0, 0]);
    expect(crossEntropy(x, [1, 7, 2, 7], { ignoreIndex: 7 }).item()).toBeCloseTo(kept.item(), 12);
  });

  describe("gradcheck (float64)", () => {
    const cases: [string, (x: Tensor) => Tensor][] = [
      ["mean", (x) => crossEntropy(x, [0, 2, 1, 2])],
      ["sum", (x) => crossEntropy(x, [0, 2, 1, 2], { reduction: "sum" })],
      ["none", (x) => crossEntropy(x, [0, 2, 1, 2], { reduction: "none" })],
      ["ignoreIndex", (x) => crossEntropy(x, [0, -100, 1, 2])],
    ];
    for (const [label, fn] of cases) {
      it(label, () => {
        const x = randn([4, 3], { dtype: "float64", requiresGrad: true });
        expect(gradcheck((xi) => fn(xi!), [x]).ok).toBe(true);
      });
    }
    it("(N, C, d) form", () => {
      const x = randn([2, 3, 2], { dtype: "float64", requiresGrad: true });
      expect(gradcheck((xi) => crossEntropy(xi!, [[0, 2], [1, 1]]), [x]).ok).toBe(true);
    });
  });

  it("bad input: mismatched N names both shapes; a target >= C names the value", () => {
    const x = randn([4, 3]);
    expect(() => crossEntropy(x, [0, 1, 2])).toThrow(ShapeError);
    expect(() => crossEntropy(x, [0, 1, 2])).toThrow(/logits \(4, 3\) need targets of shape \(4,\), got \(3,\)/);
    expect(() => crossEntropy(x, [0, 1, 3, 0])).toThrow(/id 3 at position \[2\] is out of range.*\[0, 2\]/);
    expect(() => crossEntropy(x, [0, 1, -1, 0])).toThrow(/id -1 at position \[2\]/);
    expect(() => crossEntropy(x, [0, 1, 0.5, 0])).toThrow(/0\.5.*not an integer/);
  });
});

describe("mseLoss", () => {
  it("matches the definition for mean, sum and none", () => {
    const a = tensor([[1, 2], [3, 4]], { dtype: "float64" });
    const b = tensor([[0, 2], [5, 1]], { dtype: "float64" });
    expect(mseLoss(a, b).item()).toBe((1 + 0 + 4 + 9) / 4);
    expect(mseLoss(a, b, { reduction: "sum" }).item()).toBe(14);
    expect(mseLoss(a, b, { reduction: "none" }).toArray()).toEqual([[1, 0], [4, 9]]);
    expect(new MSELoss({ reduction: "sum" }).forward(a, b).item()).toBe(14);
  });

  for (const reduction of ["mean", "sum", "none"] as const) {
    it(`gradcheck (float64) w.r.t. input and target, ${reduction}`, () => {
      const a = randn([3, 2], { dtype: "float64", requiresGrad: true });
      const b = randn([3, 2], { dtype: "float64", requiresGrad: true });
      expect(gradcheck((x, y) => mseLoss(x!, y!, { reduction }), [a, b]).ok).toBe(true);
    });
  }

  it("different shapes are an error naming both", () => {
    expect(() => mseLoss(randn([3, 2]), randn([2, 3]))).toThrow(/\(3, 2\).*\(2, 3\)/);
  });
});

class EmbLinear extends Module {
  readonly embedding: Embedding;
  readonly linear: Linear;
  constructor(V: number, E: number, C: number, dtype: DType) {
    super();
    this.embedding = this.registerModule("embedding", new Embedding({ numEmbeddings: V, embeddingDim: E, dtype }));
    this.linear = this.registerModule("linear", new Linear({ inFeatures: E, outFeatures: C, dtype }));
  }
  forward(ids: IndexInput): Tensor {
    return this.linear.forward(this.embedding.forward(ids));
  }
}

describe("Embedding → Linear → crossEntropy(mean) matches PyTorch", () => {
  for (const name of fixtureNames(/^emb_linear_ce_/)) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype}): logits, loss and every parameter gradient`, () => {
        const f = loadFixture(name);
        const ref = dtype === "float64" ? f : f.float32;
        const model = new EmbLinear(f.config.num_embeddings, f.config.embedding_dim, f.config.num_classes, dtype);
        expect(model.namedParameters().map(([n]) => n)).toEqual(f.param_names);
        model.loadStateDict(f.params);
        // PyTorch flattens the logits to (prod(indices.shape), C) in row-major order: looking up
        // the flattened ids gives exactly those rows.
        const logits = model.forward(f.indices.data);
        expectClose(logits.data, ref.logits, dtype, "logits");
        const loss = crossEntropy(logits, f.targets.data);
        const expected = typeof ref.loss === "number" ? ref.loss : ref.loss.value;
        expect(Math.abs(loss.item() - expected) / expected).toBeLessThanOrEqual(tol(dtype));
        loss.backward();
        for (const [pname, p] of model.namedParameters()) expectClose(p.grad, ref.grads.params[pname], dtype, `grad ${pname}`);
      });
    }
  }
});
