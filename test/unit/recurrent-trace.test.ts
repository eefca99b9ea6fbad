/**
 * Seeing inside: the trace (gates and states per step, by time position) and the gradient flow
 * (dL/dh_t recorded by the fused backward), checked against the equations and against a
 * step-by-step cell unroll whose h_t keep their gradients (retainGrad).
 */
import { describe, expect, it } from "vitest";
import {
  GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, Tensor, gradientNorms, manualSeed, randn, tensor,
  type GRUVariant, type LSTMTrace, type TraceEntryBase,
} from "../../src/index.js";
import { weightedSum } from "./recurrent-helpers.js";

const f64 = { dtype: "float64" as const };
const T = 5;
const B = 2;
const I = 3;
const H = 4;

/** Value at [a, b, c] of a 3-D tensor. */
function at(t: Tensor, a: number, b: number, c: number): number {
  return t.data[(a * t.shape[1]! + b) * t.shape[2]! + c]!;
}

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let k = 0; k < a.length; k++) m = Math.max(m, Math.abs(a[k]! - b[k]!));
  return m;
}

describe("trace", () => {
  it("is typed by overloads and shows the LSTM's equations at every step", () => {
    manualSeed(1);
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, ...f64 });
    const x = randn([T, B, I], f64);
    const h0 = randn([1, B, H], f64);
    const c0 = randn([1, B, H], f64);
    const [out, [hN, cN], trace] = lstm.forward(x, [h0, c0], { trace: true });
    const typed: LSTMTrace = trace;
    expect(typed).toHaveLength(1);
    const { i, f, g, o, c, h, layer, direction, key } = trace[0]!;
    expect([layer, direction, key]).toEqual([0, "forward", "l0"]);
    for (const t of [i, f, g, o, c, h]) expect(t.shape).toEqual([T, B, H]);
    expect(maxDiff(h.data, out.data)).toBe(0);
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          const cPrev = t === 0 ? at(c0, 0, b, j) : at(c, t - 1, b, j);
          expect(at(c, t, b, j)).toBeCloseTo(at(f, t, b, j) * cPrev + at(i, t, b, j) * at(g, t, b, j), 14);
          expect(at(h, t, b, j)).toBeCloseTo(at(o, t, b, j) * Math.tanh(at(c, t, b, j)), 14);
        }
      }
    }
    expect(maxDiff(c.data.subarray((T - 1) * B * H), cN.data)).toBe(0);
    expect(maxDiff(h.data.subarray((T - 1) * B * H), hN.data)).toBe(0);
    // Without { trace: true } there is no third element.
    expect(lstm.forward(x, [h0, c0])).toHaveLength(2);
  });

  it("orders entries l0, l0_reverse, l1, l1_reverse by time position (batchFirst, 2 layers, bidirectional)", () => {
    manualSeed(2);
    const gru = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, bidirectional: true, batchFirst: true, ...f64 });
    const x = randn([B, T, I], f64);
    const [out, hN, trace] = gru.forward(x, null, { trace: true });
    expect(trace.map((e) => [e.key, e.layer, e.direction])).toEqual([
      ["l0", 0, "forward"], ["l0_reverse", 0, "reverse"], ["l1", 1, "forward"], ["l1_reverse", 1, "reverse"],
    ]);
    const [fwd, rev] = [trace[2]!, trace[3]!];
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        for (let j = 0; j < H; j++) {
          expect(at(fwd.h, t, b, j)).toBe(at(out, b, t, j));
          expect(at(rev.h, t, b, j)).toBe(at(out, b, t, H + j));
          // h_t = (1 − z) n + z h_{t−1}; the reverse direction's previous step is t + 1.
          const prev = t === T - 1 ? 0 : at(rev.h, t + 1, b, j);
          const [z, n] = [at(rev.z, t, b, j), at(rev.n, t, b, j)];
          expect(at(rev.h, t, b, j)).toBeCloseTo((1 - z) * n + z * prev, 14);
        }
      }
    }
    // h_n: forward at t = T−1, reverse at t = 0, slot layer·2 + direction.
    trace.forEach((e, slot) => {
      const t = e.direction === "forward" ? T - 1 : 0;
      for (let b = 0; b < B; b++) for (let j = 0; j < H; j++) expect(at(e.h, t, b, j)).toBe(at(hN, slot, b, j));
    });
  });

  it("RNN: h = tanh(pre); padded positions are zero and h_n comes from the last real step", () => {
    manualSeed(3);
    const rnn = new RNN({ inputSize: I, hiddenSize: H, bidirectional: true, ...f64 });
    const x = randn([T, B, I], f64);
    const lengths = [3, 5];
    const [, hN, trace] = rnn.forward(x, null, { lengths, trace: true });
    for (const e of trace) {
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          for (let j = 0; j < H; j++) {
            if (t >= lengths[b]!) expect(at(e.h, t, b, j)).toBe(0);
            else expect(at(e.h, t, b, j)).toBeCloseTo(Math.tanh(at(e.pre, t, b, j)), 15);
          }
        }
      }
    }
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        expect(at(hN, 0, b, j)).toBe(at(trace[0]!.h, lengths[b]! - 1, b, j));
        expect(at(hN, 1, b, j)).toBe(at(trace[1]!.h, 0, b, j));
      }
    }
  });
});

type StepFn = (x: Tensor, state: Tensor[]) => Tensor[];

/**
 * Layers of cells unrolled by hand over time, with the fused module's parameters. Returns every
 * layer's h_t (retaining their gradients) and the final states.
 */
function unroll(steps: StepFn[], x: Tensor, initial: Tensor[][]): { hs: Tensor[][]; finals: Tensor[][] } {
  let inputs = Array.from({ length: T }, (_, t) => tensor(x.data.slice(t * B * I, (t + 1) * B * I), { ...f64, shape: [B, I] }));
  const hs: Tensor[][] = [];
  const finals: Tensor[][] = [];
  steps.forEach((step, l) => {
    let state = initial[l]!;
    const layer: Tensor[] = [];
    for (const xt of inputs) {
      state = step(xt, state);
      layer.push(state[0]!.retainGrad());
    }
    hs.push(layer);
    finals.push(state);
    inputs = layer;
  });
  return { hs, finals };
}

describe("gradient flow: dh recorded by backward", () => {
  type Case = [string, () => { fused: LSTM | GRU | RNN; steps: StepFn[] }];
  const cellsLike = (fused: LSTM | GRU | RNN, make: (l: number) => LSTMCell | GRUCell | RNNCell): StepFn[] =>
    Array.from({ length: fused.numLayers }, (_, l) => {
      const cell = make(l);
      const sd = fused.stateDict();
      cell.loadStateDict(Object.fromEntries(cell.namedParameters().map(([n]) => [n, sd[`${n}_l${l}`]!])));
      if (cell instanceof LSTMCell) return (xt: Tensor, s: Tensor[]) => cell.forward(xt, [s[0]!, s[1]!]);
      return (xt: Tensor, s: Tensor[]) => [cell.forward(xt, s[0]!)];
    });
  const gruCase = (v: GRUVariant): Case => [`GRU ${v.resetPosition}/${v.updateConvention}`, () => {
    const fused = new GRU({ inputSize: I, hiddenSize: H, numLayers: 2, ...v, ...f64 });
    return { fused, steps: cellsLike(fused, (l) => new GRUCell({ inputSize: l ? H : I, hiddenSize: H, ...v, ...f64 })) };
  }];
  const CASES: Case[] = [
    ["LSTM", () => {
      const fused = new LSTM({ inputSize: I, hiddenSize: H, numLayers: 2, ...f64 });
      return { fused, steps: cellsLike(fused, (l) => new LSTMCell({ inputSize: l ? H : I, hiddenSize: H, ...f64 })) };
    }],
    ["RNN relu", () => {
      const fused = new RNN({ inputSize: I, hiddenSize: H, numLayers: 2, nonlinearity: "relu", ...f64 });
      return { fused, steps: cellsLike(fused, (l) => new RNNCell({ inputSize: l ? H : I, hiddenSize: H, nonlinearity: "relu", ...f64 })) };
    }],
    gruCase({ resetPosition: "after", updateConvention: "pytorch" }),
    gruCase({ resetPosition: "before", updateConvention: "textbook" }),
  ];

  it.each(CASES)("%s (2 layers): equals h_t.grad of a per-step cell unroll, in every layer", (_, build) => {
    manualSeed(4);
    const { fused, steps } = build();
    const isLSTM = fused instanceof LSTM;
    const x = randn([T, B, I], f64);
    const h0 = randn([2, B, H], f64);
    const c0 = randn([2, B, H], f64);
    const R = { out: randn([T, B, H], f64), hN: randn([2, B, H], f64), cN: randn([2, B, H], f64) };

    let trace: TraceEntryBase[];
    const pairs: [Tensor, Tensor][] = [];
    if (fused instanceof LSTM) {
      const [out, [hN, cN], tr] = fused.forward(x, [h0, c0], { trace: true });
      pairs.push([out, R.out], [hN, R.hN], [cN, R.cN]);
      trace = tr;
    } else {
      const [out, hN, tr] = fused.forward(x, h0, { trace: true });
      pairs.push([out, R.out], [hN, R.hN]);
      trace = tr;
    }
    weightedSum(pairs).backward();

    const slot = (s: Tensor, l: number): Tensor => tensor(s.data.slice(l * B * H, (l + 1) * B * H), { ...f64, shape: [B, H] });
    const initial = [0, 1].map((l) => (isLSTM ? [slot(h0, l), slot(c0, l)] : [slot(h0, l)]));
    const { hs, finals } = unroll(steps, x, initial);
    const unrolled: [Tensor, Tensor][] = hs[1]!.map((h, t) => [h, tensor(R.out.data.slice(t * B * H, (t + 1) * B * H), { ...f64, shape: [B, H] })]);
    finals.forEach((state, l) => {
      unrolled.push([state[0]!, slot(R.hN, l)]);
      if (isLSTM) unrolled.push([state[1]!, slot(R.cN, l)]);
    });
    weightedSum(unrolled).backward();

    trace.forEach((entry, l) => {
      expect(entry.dh!.shape).toEqual([T, B, H]);
      for (let t = 0; t < T; t++) {
        const ref = hs[l]![t]!.grad!.data;
        expect(maxDiff(entry.dh!.data.subarray(t * B * H, (t + 1) * B * H), ref), `layer ${l}, t = ${t}`).toBeLessThan(1e-12);
      }
    });
  });

  it("at the last step of the last layer dh is R_output + R_h_n, by hand (bidirectional: the reverse one ends at t = 0)", () => {
    manualSeed(5);
    const lstm = new LSTM({ inputSize: I, hiddenSize: H, bidirectional: true, ...f64 });
    const x = randn([T, B, I], f64);
    const [out, [hN, cN], trace] = lstm.forward(x, null, { trace: true });
    const R = { out: randn(out.shape, f64), hN: randn(hN.shape, f64), cN: randn(cN.shape, f64) };
    expect(trace[0]!.dh).toBeNull();
    expect(() => gradientNorms(trace)).toThrow(/backward/);
    weightedSum([[out, R.out], [hN, R.hN], [cN, R.cN]]).backward();
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < H; j++) {
        expect(at(trace[0]!.dh!, T - 1, b, j)).toBe(at(R.out, T - 1, b, j) + at(R.hN, 0, b, j));
        expect(at(trace[1]!.dh!, 0, b, j)).toBe(at(R.out, 0, b, H + j) + at(R.hN, 1, b, j));
      }
    }
    const norms = gradientNorms(trace);
    expect(norms.map((n) => n.key)).toEqual(["l0", "l0_reverse"]);
    norms.forEach((n, k) => {
      expect(n.norms).toHaveLength(T);
      n.norms.forEach((v, t) => {
        const row = trace[k]!.dh!.data.subarray(t * B * H, (t + 1) * B * H);
        expect(v).toBeCloseTo(Math.sqrt(Array.from(row).reduce((s, d) => s + d * d, 0)), 12);
      });
    });
  });

  it("is zero at padded positions", () => {
    manualSeed(6);
    const gru = new GRU({ inputSize: I, hiddenSize: H, bidirectional: true, ...f64 });
    const x = randn([T, B, I], f64);
    const lengths = [2, 5];
    const [out, hN, trace] = gru.forward(x, null, { lengths, trace: true });
    weightedSum([[out, randn(out.shape, f64)], [hN, randn(hN.shape, f64)]]).backward();
    const norms = gradientNorms(trace);
    trace.forEach((entry, k) => {
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const row = [0, 1, 2, 3].map((j) => at(entry.dh!, t, b, j));
          if (t >= lengths[b]!) expect(row, `${entry.key} t = ${t} b = ${b}`).toEqual([0, 0, 0, 0]);
          else expect(row.some((v) => v !== 0), `${entry.key} t = ${t} b = ${b}`).toBe(true);
        }
        expect(norms[k]!.norms[t]).toBeGreaterThan(0);
      }
    });
  });
});
