import { describe, expect, it } from "vitest";
import {
  Dropout, Embedding, Generator, Linear, Module, Sequential, ShapeError, gradcheck, linear, embedding, randn,
  tensor, type DType,
} from "../../src/index.js";
import { expectClose, fixtureNames, fromFixture, loadFixture } from "./pytorch-fixtures.js";

const DTYPES: DType[] = ["float64", "float32"];

describe("Linear matches PyTorch", () => {
  const names = fixtureNames(/^linear_/);
  it("has fixtures", () => expect(names.length).toBeGreaterThanOrEqual(2));

  for (const name of names) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype}): output and grads of weight, bias, input`, () => {
        const f = loadFixture(name);
        const ref = dtype === "float64" ? f : f.float32;
        const layer = new Linear({ inFeatures: f.config.in_features, outFeatures: f.config.out_features, bias: f.config.bias, dtype });
        layer.loadStateDict(f.params);
        expect(layer.namedParameters().map(([n]) => n)).toEqual(f.param_names);

        const x = fromFixture(f.input, dtype, true);
        const y = layer.forward(x);
        expectClose(y, ref.output, dtype, "output");
        y.backward(fromFixture(f.loss.R_output, dtype));
        expectClose(layer.weight.grad, ref.grads.params.weight, dtype, "grad weight");
        if (f.config.bias) expectClose(layer.bias!.grad, ref.grads.params.bias, dtype, "grad bias");
        else expect(layer.bias).toBeNull();
        expectClose(x.grad, ref.grads.input, dtype, "grad input");
      });
    }
  }

  it("works over any leading dims: (2, 3, in) gives the same rows as (6, in)", () => {
    const layer = new Linear({ inFeatures: 4, outFeatures: 3, dtype: "float64" });
    const x = randn([2, 3, 4], { dtype: "float64" });
    const y3 = layer.forward(x);
    const y2 = layer.forward(tensor(x.data, { shape: [6, 4] }));
    expect(y3.shape).toEqual([2, 3, 3]);
    expect(y3.toList()).toEqual(y2.toList());
  });

  it("initialises weight and bias in U(-1/sqrt(in), 1/sqrt(in)) and is seedable", () => {
    const a = new Linear({ inFeatures: 16, outFeatures: 50, generator: new Generator(3) });
    const b = new Linear({ inFeatures: 16, outFeatures: 50, generator: new Generator(3) });
    expect(a.weight.toList()).toEqual(b.weight.toList());
    const all = [...a.weight.toList(), ...a.bias!.toList()];
    expect(Math.max(...all.map(Math.abs))).toBeLessThanOrEqual(0.25);
    // 850 uniform draws in [-0.25, 0.25]: the extremes come close to the bound.
    expect(Math.max(...all)).toBeGreaterThan(0.2);
    expect(Math.min(...all)).toBeLessThan(-0.2);
    expect(a.weight.requiresGrad && a.bias!.requiresGrad).toBe(true);
  });

  it("gradcheck (float64) w.r.t. input, weight and bias", () => {
    const x = randn([3, 2, 4], { dtype: "float64", requiresGrad: true });
    const w = randn([5, 4], { dtype: "float64", requiresGrad: true });
    const b = randn([5], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((xi, wi, bi) => linear(xi!, wi!, bi!), [x, w, b]).ok).toBe(true);
  });

  it("a wrong last dimension names both the input shape and inFeatures", () => {
    const layer = new Linear({ inFeatures: 5, outFeatures: 3 });
    expect(() => layer.forward(randn([4, 6]))).toThrow(ShapeError);
    expect(() => layer.forward(randn([4, 6]))).toThrow(/inFeatures = 5.*\(4, 6\)/);
  });

  it("toString shows the configuration", () => {
    expect(String(new Linear({ inFeatures: 2, outFeatures: 3, bias: false }))).toBe("Linear(inFeatures=2, outFeatures=3, bias=false)");
  });
});

describe("Embedding matches PyTorch", () => {
  const names = fixtureNames(/^embedding_/);
  it("has fixtures", () => expect(names.length).toBeGreaterThanOrEqual(1));

  for (const name of names) {
    for (const dtype of DTYPES) {
      it(`${name} (${dtype}): output and accumulated weight grad`, () => {
        const f = loadFixture(name);
        const ref = dtype === "float64" ? f : f.float32;
        const emb = new Embedding({ numEmbeddings: f.config.num_embeddings, embeddingDim: f.config.embedding_dim, dtype });
        emb.loadStateDict(f.params);
        const y = emb.forward(fromFixture(f.indices));
        expectClose(y, ref.output, dtype, "output");
        y.backward(fromFixture(f.loss.R_output, dtype));
        expectClose(emb.weight.grad, ref.grads.params.weight, dtype, "grad weight");

        // The fixture promises a repeated index and unused rows; check both by hand too.
        const ids: number[] = f.indices.data;
        const D = f.config.embedding_dim;
        const repeated = ids.find((id, k) => ids.indexOf(id) !== k);
        expect(repeated).toBeDefined();
        const R: number[] = f.loss.R_output.data;
        const expectedRow = Array.from({ length: D }, (_, j) =>
          ids.reduce((s, id, n) => (id === repeated ? s + R[n * D + j]! : s), 0));
        const row = Array.from(emb.weight.grad!.data.subarray(repeated! * D, repeated! * D + D));
        row.forEach((v, j) => expect(v).toBeCloseTo(expectedRow[j]!, dtype === "float64" ? 12 : 5));
        for (let v = 0; v < f.config.num_embeddings; v++) {
          if (!ids.includes(v)) expect(Array.from(emb.weight.grad!.data.subarray(v * D, v * D + D))).toEqual(new Array(D).fill(0));
        }
      });
    }
  }

  it("takes nested arrays as well as tensors, output shape ids.shape + (D,)", () => {
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 3 });
    const y = emb.forward([[0, 3], [2, 2]]);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(Array.from(y.data.subarray(3, 6))).toEqual(Array.from(emb.weight.data.subarray(9, 12)));
  });

  it("gradcheck (float64) w.r.t. weight, with repeated ids", () => {
    const w = randn([5, 3], { dtype: "float64", requiresGrad: true });
    expect(gradcheck((wi) => embedding([[1, 4, 1], [0, 1, 4]], wi!), [w]).ok).toBe(true);
  });

  it("paddingIdx starts at zero and gets no gradient", () => {
    const emb = new Embedding({ numEmbeddings: 4, embeddingDim: 2, paddingIdx: -1, dtype: "float64" });
    expect(emb.paddingIdx).toBe(3);
    expect(Array.from(emb.weight.data.subarray(6, 8))).toEqual([0, 0]);
    emb.forward([3, 1, 3]).backward(randn([3, 2], { dtype: "float64" }));
    expect(Array.from(emb.weight.grad!.data.subarray(6, 8))).toEqual([0, 0]);
    expect(Array.from(emb.weight.grad!.data.subarray(2, 4)).some((v) => v !== 0)).toBe(true);
  });

  it("initialises N(0, 1)", () => {
    const emb = new Embedding({ numEmbeddings: 100, embeddingDim: 40, dtype: "float64", generator: new Generator(1) });
    const v = emb.weight.toList();
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
  });

  it("bad token ids name the value, the position and the valid range", () => {
    const emb = new Embedding({ numEmbeddings: 7, embeddingDim: 2 });
    expect(() => emb.forward([[0, 1], [2, 1.5]])).toThrow(/id 1\.5 at position \[1, 1\] is not an integer.*\[0, 6\]/);
    expect(() => emb.forward([0, -1])).toThrow(/id -1 at position \[1\] is out of range.*\[0, 6\]/);
    expect(() => emb.forward(tensor([7, 0]))).toThrow(/id 7 at position \[0\] is out of range.*numEmbeddings = 7/);
    expect(() => emb.forward([0, -1])).toThrow(RangeError);
  });
});

describe("Dropout", () => {
  it("zeroes about p of the values in training and scales the rest by 1/(1-p)", () => {
    const drop = new Dropout(0.25, { generator: new Generator(0) });
    const x = randn([4000], { dtype: "float64", requiresGrad: true });
    const y = drop.forward(x);
    const zeros = y.toList().filter((v) => v === 0).length;
    expect(zeros / 4000).toBeGreaterThan(0.2);
    expect(zeros / 4000).toBeLessThan(0.3);
    y.toList().forEach((v, k) => {
      if (v !== 0) expect(v).toBeCloseTo(x.data[k]! / 0.75, 12);
    });
    // The gradient goes through the same mask.
    y.backward(tensor(new Float64Array(4000).fill(1), { shape: [4000] }));
    x.grad!.toList().forEach((g, k) => expect(g).toBe(y.data[k] === 0 ? 0 : 1 / 0.75));
  });

  it("is the identity in eval mode and reproducible with a seeded generator", () => {
    const x = randn([50]);
    const a = new Dropout(0.5, { generator: new Generator(7) });
    const b = new Dropout(0.5, { generator: new Generator(7) });
    expect(a.forward(x).toList()).toEqual(b.forward(x).toList());
    a.eval();
    expect(a.forward(x)).toBe(x);
    expect(() => new Dropout(1.5)).toThrow(/\[0, 1\].*1\.5/);
  });
});

describe("Sequential", () => {
  it("chains modules and names children 0, 1, ... as PyTorch", () => {
    const l0 = new Linear({ inFeatures: 3, outFeatures: 4, dtype: "float64" });
    const l2 = new Linear({ inFeatures: 4, outFeatures: 2, dtype: "float64" });
    const seq = new Sequential(l0, new Dropout(0.5), l2);
    expect(Object.keys(seq.stateDict())).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
    seq.eval();
    const x = randn([5, 3], { dtype: "float64" });
    expect(seq.forward(x).toList()).toEqual(l2.forward(l0.forward(x)).toList());
    expect(seq.at(-1)).toBe(l2);
    expect(seq.length).toBe(3);
    // eval() reached the child.
    expect((seq.at(1) as Dropout).training).toBe(false);
  });
});

class EmbLinear extends Module {
  readonly embedding = this.registerModule("embedding", new Embedding({ numEmbeddings: 7, embeddingDim: 4 }));
  readonly linear = this.registerModule("linear", new Linear({ inFeatures: 4, outFeatures: 6 }));
}

describe("loadStateDict errors list every problem", () => {
  const f = loadFixture("emb_linear_ce_v7e4c6_2x4");

  it("accepts the fixture's names", () => {
    const m = new EmbLinear();
    m.loadStateDict(f.params);
    expect(m.linear.bias!.toList()).toEqual(f.params["linear.bias"].data.map(Math.fround));
  });

  it("missing and unexpected keys are both named", () => {
    const { ["linear.bias"]: _dropped, ...rest } = f.params;
    const bad = { ...rest, "linear.bais": f.params["linear.bias"] };
    expect(() => new EmbLinear().loadStateDict(bad)).toThrow(/missing keys: linear\.bias[\s\S]*unexpected keys: linear\.bais/);
  });

  it("a shape mismatch names the key and both shapes", () => {
    const bad = { ...f.params, "linear.weight": { shape: [4, 6], data: new Array(24).fill(0) } };
    expect(() => new EmbLinear().loadStateDict(bad)).toThrow(/linear\.weight: checkpoint has \(4, 6\), model has \(6, 4\)/);
  });

  it("is all or nothing: every bad value is listed at once, and no parameter changes", () => {
    const m = new EmbLinear();
    const before = m.parameters().map((p) => [...p.data]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ "linear.weight": { shape: [6, 4], data: [9] } }, /linear\.weight: shape \(6, 4\) holds 24 numbers, data has 1/],
      [{ "linear.weight": null }, /linear\.weight: expected a tensor or \{ shape, data \}, got null/],
      [{ "linear.bias": { shape: [6], data: "123456" } }, /linear\.bias: expected data to be a list or typed array of 6 numbers, got string/],
      [{ "linear.bias": { shape: [6], data: { length: 6 } } }, /linear\.bias: expected data to be a list or typed array of 6 numbers, got Object/],
      [{ "linear.bias": { shape: [6], data: ["1", 2, 3, 4, 5, 6] } }, /linear\.bias: data\[0\] is "1", expected a finite number/],
      [{ "linear.bias": { shape: [6], data: [1, 2, NaN, 4, 5, 6] } }, /linear\.bias: data\[2\] is NaN, expected a finite number/],
      [{ "linear.bias": { shape: [6], data: new BigInt64Array(6) } }, /linear\.bias: expected data to be a list or typed array/],
      // The weight is fine and comes first; the too-long bias must stop it from being written.
      [{ "linear.weight": { shape: [6, 4], data: new Array(24).fill(7) }, "linear.bias": { shape: [6], data: new Array(7).fill(7) } }, /linear\.bias: shape \(6,\) holds 6 numbers, data has 7/],
    ];
    for (const [override, message] of cases) {
      expect(() => m.loadStateDict({ ...f.params, ...override } as never)).toThrow(message);
      expect(() => m.loadStateDict({ ...f.params, ...override } as never)).toThrow(/nothing was loaded/);
      expect(m.parameters().map((p) => [...p.data])).toEqual(before);
    }
    // Several problems, one error naming each.
    const all = { ...f.params, "linear.weight": { shape: [6, 4], data: [9] }, "linear.bias": null, "linear.bais": f.params["linear.bias"] };
    expect(() => m.loadStateDict(all as never)).toThrow(/unexpected keys: linear\.bais[\s\S]*linear\.weight: shape[\s\S]*linear\.bias: expected a tensor/);
    expect(() => m.loadStateDict(null as never)).toThrow(/EmbLinear\.loadStateDict: expected a state dict \(an object of name → tensor or \{ shape, data \}, as model\.stateDict\(\) gives\), got null/);
    expect(m.parameters().map((p) => [...p.data])).toEqual(before);
    // A model's own state dict round-trips.
    const other = new EmbLinear();
    other.loadStateDict(m.stateDict());
    expect(other.parameters().map((p) => [...p.data])).toEqual(before);
  });
});
