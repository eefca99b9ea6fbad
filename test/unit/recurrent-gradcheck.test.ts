/**
 * The hand-derived backward passes against finite differences (gradcheck, float64), for every
 * module and GRU variant, stacked and bidirectional, with variable lengths and with dropout;
 * and the claims the docs make: lengths = running each sequence alone, and the textbook GRU
 * convention = PyTorch's with the z-gate negated.
 */
import { describe, expect, it } from "vitest";
import {
  GRU, GRUCell, LSTM, RNN, Tensor, gradcheck, manualSeed, randn, tensor, type GRUVariant,
} from "../../src/index.js";
import { runModule, weightedSum, type AnyRecurrent } from "./recurrent-helpers.js";

const T = 4;
const B = 3;
const I = 3;
const H = 3;
const f64 = { dtype: "float64" as const };

function states(m: AnyRecurrent, batch = B): { h0: Tensor; c0: Tensor | null } {
  const L = m.numLayers * m.numDirections;
  return {
    h0: randn([L, batch, m.hOut], { ...f64, requiresGrad: true }),
    c0: m instanceof LSTM ? randn([L, batch, m.hiddenSize], { ...f64, requiresGrad: true }) : null,
  };
}

/** gradcheck of output, h_n (and c_n) w.r.t. x, h0, c0 and every parameter. */
function checkModule(m: AnyRecurrent, lengths: number[] | null = null): void {
  manualSeed(7);
  const x = randn(m.batchFirst ? [B, T, I] : [T, B, I], { ...f64, requiresGrad: true });
  const { h0, c0 } = states(m);
  const inputs = [x, h0, ...(c0 ? [c0] : []), ...m.parameters()];
  const fn = (): Tensor[] => {
    if (m instanceof LSTM) {
      const [out, [hN, cN]] = m.forward(x, [h0, c0!], { lengths });
      return [out, hN, cN];
    }
    const [out, hN] = m.forward(x, h0, { lengths });
    return [out, hN];
  };
  const result = gradcheck(fn, inputs);
  expect(result.ok).toBe(true);
  expect(result.checked).toBe(inputs.reduce((n, t) => n + t.size, 0));
}

const GRU_VARIANTS: GRUVariant[] = [
  { resetPosition: "after", updateConvention: "pytorch" },
  { resetPosition: "before", updateConvention: "pytorch" },
  { resetPosition: "after", updateConvention: "textbook" },
  { resetPosition: "before", updateConvention: "textbook" },
];

type Maker = (o: { numLayers: number; bidirectional: boolean; batchFirst: boolean }) => AnyRecurrent;
const MAKERS: [string, Maker][] = [
  ["RNN tanh", (o) => new RNN({ inputSize: I, hiddenSize: H, ...o, ...f64 })],
  ["RNN relu", (o) => new RNN({ inputSize: I, hiddenSize: H, nonlinearity: "relu", ...o, ...f64 })],
  ["LSTM", (o) => new LSTM({ inputSize: I, hiddenSize: H, ...o, ...f64 })],
  ["LSTM projSize=2", (o) => new LSTM({ inputSize: I, hiddenSize: H, projSize: 2, ...o, ...f64 })],
  ...GRU_VARIANTS.map((v): [string, Maker] => [
    `GRU ${v.resetPosition}/${v.updateConvention}`,
    (o) => new GRU({ inputSize: I, hiddenSize: H, ...v, ...o, ...f64 }),
  ]),
];

describe.each(MAKERS)("gradcheck %s", (_, make) => {
  it("1 layer, unidirectional", () => checkModule(make({ numLayers: 1, bidirectional: false, batchFirst: false })));
  it("2 layers, bidirectional, batchFirst", () => checkModule(make({ numLayers: 2, bidirectional: true, batchFirst: true })));
  it("2 layers, bidirectional, variable lengths", () =>
    checkModule(make({ numLayers: 2, bidirectional: true, batchFirst: false }), [2, 4, 1]));
});

describe.each(MAKERS)("variable lengths, %s", (_, make) => {
  const lengths = [2, 4, 1];

  it("outputs are zero at padded positions and padded inputs get zero gradient", () => {
    const m = make({ numLayers: 2, bidirectional: true, batchFirst: false });
    manualSeed(3);
    const x = randn([T, B, I], { ...f64, requiresGrad: true });
    const [out, hN, cN] = runModule(m, x, null, null, lengths);
    const pairs: [Tensor, Tensor][] = [[out, randn(out.shape, f64)], [hN, randn(hN.shape, f64)]];
    if (cN) pairs.push([cN, randn(cN.shape, f64)]);
    weightedSum(pairs).backward();
    const F = out.shape[2]!;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const outRow = out.data.subarray((t * B + b) * F, (t * B + b + 1) * F);
        const gradRow = x.grad!.data.subarray((t * B + b) * I, (t * B + b + 1) * I);
        if (t >= lengths[b]!) {
          expect([...outRow].every((v) => v === 0), `output[${t}, ${b}]`).toBe(true);
          expect([...gradRow].every((v) => v === 0), `dx[${t}, ${b}]`).toBe(true);
        } else {
          expect([...outRow].some((v) => v !== 0), `output[${t}, ${b}]`).toBe(true);
          expect([...gradRow].some((v) => v !== 0), `dx[${t}, ${b}]`).toBe(true);
        }
      }
    }
  });

  it("equals running each sequence alone at its own length (outputs, h_n, c_n, all gradients)", () => {
    const m = make({ numLayers: 2, bidirectional: true, batchFirst: false });
    manualSeed(4);
    const x = randn([T, B, I], { ...f64, requiresGrad: true });
    const { h0, c0 } = states(m);
    const [out, hN, cN] = runModule(m, x, h0, c0, lengths);
    const R = { out: randn(out.shape, f64), hN: randn(hN.shape, f64), cN: cN ? randn(cN.shape, f64) : null };
    const pairs: [Tensor, Tensor][] = [[out, R.out], [hN, R.hN]];
    if (cN) pairs.push([cN, R.cN!]);
    weightedSum(pairs).backward();
    const batchedParamGrads = m.parameters().map((p) => p.grad!.toList());
    m.zeroGrad();

    const summed = m.parameters().map((p) => new Array<number>(p.size).fill(0));
    const F = out.shape[2]!;
    for (let b = 0; b < B; b++) {
      const len = lengths[b]!;
      const xb = tensor(pick(x, [len, 1, I], (t) => (t * B + b) * I, I), { ...f64, shape: [len, 1, I], requiresGrad: true });
      const hb = tensor(pickState(h0, b), { ...f64, shape: [h0.shape[0]!, 1, h0.shape[2]!], requiresGrad: true });
      const cb = c0 ? tensor(pickState(c0, b), { ...f64, shape: [c0.shape[0]!, 1, c0.shape[2]!], requiresGrad: true }) : null;
      const [ob, hNb, cNb] = runModule(m, xb, hb, cb);
      expectSame(ob.toList(), pick(out, [len], (t) => (t * B + b) * F, F), `output of sequence ${b}`);
      expectSame(hNb.toList(), pickState(hN, b), `h_n of sequence ${b}`);
      if (cN) expectSame(cNb!.toList(), pickState(cN, b), `c_n of sequence ${b}`);
      const pb: [Tensor, Tensor][] = [
        [ob, tensor(pick(R.out, [len], (t) => (t * B + b) * F, F), { ...f64, shape: ob.shape })],
        [hNb, tensor(pickState(R.hN, b), { ...f64, shape: hNb.shape })],
      ];
      if (cNb) pb.push([cNb, tensor(pickState(R.cN!, b), { ...f64, shape: cNb.shape })]);
      weightedSum(pb).backward();
      expectSame(xb.grad!.toList(), pick(x.grad!, [len], (t) => (t * B + b) * I, I), `dx of sequence ${b}`);
      expectSame(hb.grad!.toList(), pickState(h0.grad!, b), `dh0 of sequence ${b}`);
      if (cb) expectSame(cb.grad!.toList(), pickState(c0!.grad!, b), `dc0 of sequence ${b}`);
      m.parameters().forEach((p, k) => p.grad!.data.forEach((v, q) => (summed[k]![q]! += v)));
      m.zeroGrad();
    }
    batchedParamGrads.forEach((g, k) => expectSame(g, summed[k]!, `grad of ${m.namedParameters()[k]![0]}`));
  });
});

/** Rows t = 0 … n−1 of `width` values starting at offset(t). */
function pick(t: Tensor, [n]: number[], offset: (t: number) => number, width: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < n; s++) out.push(...t.data.subarray(offset(s), offset(s) + width));
  return out;
}

/** Batch entry b of a (L·D, B, H) state. */
function pickState(s: Tensor, b: number): number[] {
  const [LD, Bs, Hs] = s.shape as [number, number, number];
  const out: number[] = [];
  for (let k = 0; k < LD; k++) out.push(...s.data.subarray((k * Bs + b) * Hs, (k * Bs + b + 1) * Hs));
  return out;
}

function expectSame(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  const err = Math.max(0, ...actual.map((v, k) => Math.abs(v - expected[k]!)));
  expect(err, what).toBeLessThan(1e-12);
}

describe("GRU conventions", () => {
  /** Negates the z rows [H, 2H) of every weight and bias. */
  function negateZ(m: GRU | GRUCell): void {
    for (const [, p] of m.namedParameters()) {
      const rowLen = p.ndim === 2 ? p.shape[1]! : 1;
      const H_ = p.shape[0]! / 3;
      for (let q = H_ * rowLen; q < 2 * H_ * rowLen; q++) p.data[q] = -p.data[q]!;
    }
  }

  it.each(["after", "before"] as const)("textbook update = PyTorch update with the z gate negated (reset %s)", (resetPosition) => {
    manualSeed(11);
    const py = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, resetPosition, ...f64 });
    const tb = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, resetPosition, updateConvention: "textbook", ...f64 });
    tb.loadStateDict(py.stateDict());
    negateZ(tb);
    const x = randn([T, B, I], f64);
    const h0 = randn([4, B, H], f64);
    const [o1, h1] = py.forward(x, h0);
    const [o2, h2] = tb.forward(x, h0);
    expectSame(o2.toList(), o1.toList(), "output");
    expectSame(h2.toList(), h1.toList(), "h_n");
    // Without negating, the conventions really differ.
    tb.loadStateDict(py.stateDict());
    expect(Math.max(...tb.forward(x, h0)[0].toList().map((v, k) => Math.abs(v - o1.data[k]!)))).toBeGreaterThan(1e-3);
  });

  it.each([
    ["after", "pytorch"], ["before", "pytorch"], ["after", "textbook"], ["before", "textbook"],
  ] as const)("GRUCell reset %s / update %s follows its equations, computed here by hand", (resetPosition, updateConvention) => {
    manualSeed(12);
    const cell = new GRUCell({ inputSize: 2, hiddenSize: 2, resetPosition, updateConvention, ...f64 });
    const x = [0.5, -1.5];
    const h = [0.3, -0.7];
    const W = (name: string): number[] => cell.stateDict()[name]!.toList();
    const [wih, whh, bih, bhh] = [W("weight_ih"), W("weight_hh"), W("bias_ih"), W("bias_hh")];
    const sig = (a: number): number => 1 / (1 + Math.exp(-a));
    // row j of gate block g: W[(g·2 + j)·2 + k]
    const dot = (w: number[], g: number, j: number, v: number[]): number => w[(g * 2 + j) * 2]! * v[0]! + w[(g * 2 + j) * 2 + 1]! * v[1]!;
    const r = [0, 1].map((j) => sig(dot(wih, 0, j, x) + bih[j]! + dot(whh, 0, j, h) + bhh[j]!));
    const z = [0, 1].map((j) => sig(dot(wih, 1, j, x) + bih[2 + j]! + dot(whh, 1, j, h) + bhh[2 + j]!));
    const rh = h.map((v, j) => r[j]! * v);
    const n = [0, 1].map((j) => Math.tanh(dot(wih, 2, j, x) + bih[4 + j]! +
      (resetPosition === "after" ? r[j]! * (dot(whh, 2, j, h) + bhh[4 + j]!) : dot(whh, 2, j, rh) + bhh[4 + j]!)));
    const expected = [0, 1].map((j) => (updateConvention === "pytorch"
      ? (1 - z[j]!) * n[j]! + z[j]! * h[j]!
      : (1 - z[j]!) * h[j]! + z[j]! * n[j]!));
    const got = cell.forward(tensor([x], f64), tensor([h], f64)).toList();
    expectSame(got, expected, "h'");
  });
});

describe("dropout between layers", () => {
  function pair(dropout: number): [LSTM, LSTM] {
    manualSeed(5);
    const a = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, dropout, ...f64 });
    const b = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, ...f64 });
    b.loadStateDict(a.stateDict());
    return [a, b];
  }

  it("is off in eval mode and on in training mode", () => {
    const [drop, plain] = pair(0.5);
    const x = randn([T, B, I], f64);
    const ref = plain.forward(x)[0].toList();
    drop.eval();
    expectSame(drop.forward(x)[0].toList(), ref, "eval output");
    drop.train();
    const trained = drop.forward(x)[0].toList();
    expect(Math.max(...trained.map((v, k) => Math.abs(v - ref[k]!)))).toBeGreaterThan(1e-6);
  });

  it("is not applied after the last layer, is refused with one layer (it would do nothing), and is reproducible under manualSeed", () => {
    manualSeed(6);
    expect(() => new LSTM({ inputSize: I, hiddenSize: H, numLayers: 1, dropout: 0.9, ...f64 }))
      .toThrow(/LSTM: dropout applies between stacked layers, so with numLayers 1 it would do nothing; use numLayers ≥ 2 or dropout 0 \(got dropout 0\.9\)/);
    const x = randn([T, B, I], f64);
    // Dropped with p = 0.9 after the last layer, about 90 % of the outputs would be exactly 0.
    const two = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, dropout: 0.9, ...f64 });
    expect(two.forward(x)[0].toList().flat(3).filter((v) => v === 0)).toEqual([]);
    const [drop] = pair(0.5);
    manualSeed(1);
    const o1 = drop.forward(x)[0].toList();
    manualSeed(1);
    expectSame(drop.forward(x)[0].toList(), o1, "same seed, same mask");
  });

  it("gradcheck with a fixed mask", () => {
    const [drop] = pair(0.3);
    manualSeed(8);
    const x = randn([T, B, I], { ...f64, requiresGrad: true });
    const fn = (): Tensor[] => {
      manualSeed(99);
      const [out, [hN, cN]] = drop.forward(x);
      return [out, hN, cN];
    };
    expect(gradcheck(fn, [x, ...drop.parameters()]).ok).toBe(true);
  });
});
