import { describe, expect, it } from "vitest";
import {
  Generator, Linear, Module, NonFiniteError, SGD, Tensor, add, detachState, gradNorm, linear, mseLoss, mul, narrow, randn,
  select, sum, tanh, tensor, timeChunks, trainStep, truncatedBptt, cat, full, Adam, LSTM, manualSeed,
} from "../../src/index.js";

describe("trainStep", () => {
  function setup(): { layer: Linear; x: Tensor; y: Tensor } {
    const gen = new Generator(5);
    const layer = new Linear({ inFeatures: 3, outFeatures: 2, dtype: "float64", generator: gen });
    return { layer, x: randn([8, 3], { dtype: "float64", generator: gen }), y: randn([8, 2], { dtype: "float64", generator: gen }) };
  }

  it("does zeroGrad → loss → backward → step and returns the loss and the gradient norm", () => {
    const { layer, x, y } = setup();
    const opt = new SGD(layer, { lr: 0.1 });
    // By hand: the same step with the same optimiser settings on a copy.
    const twin = new Linear({ inFeatures: 3, outFeatures: 2, dtype: "float64" });
    twin.loadStateDict(layer.stateDict());
    const twinLoss = mseLoss(twin.forward(x), y);
    twinLoss.backward();
    const twinNorm = gradNorm(twin);
    new SGD(twin, { lr: 0.1 }).step();

    layer.weight.grad = full([2, 3], 100, { dtype: "float64" }); // stale: trainStep must clear it
    const result = trainStep({ optimizer: opt, computeLoss: () => mseLoss(layer.forward(x), y) });
    expect(result.loss).toBe(twinLoss.item());
    expect(result.gradNorm).toBe(twinNorm);
    expect(result.stepped).toBe(true);
    expect(layer.weight.toList()).toEqual(twin.weight.toList());
  });

  it("clips to maxGradNorm before the step, reporting the norm before clipping", () => {
    const { layer, x, y } = setup();
    const before = layer.weight.toList();
    const { gradNorm: norm } = trainStep({ optimizer: new SGD(layer, { lr: 1 }), computeLoss: () => mseLoss(layer.forward(x), y), maxGradNorm: 1e-3 });
    expect(norm).toBeGreaterThan(1e-3);
    expect(gradNorm(layer)).toBeCloseTo(1e-3, 8);
    // With lr = 1 every parameter moved by exactly its clipped gradient.
    layer.weight.toList().forEach((w, k) => expect(before[k]! - w).toBeCloseTo(layer.weight.grad!.data[k]!, 12));
  });

  it("a non-finite loss throws before backward and leaves the parameters unchanged", () => {
    const { layer, x } = setup();
    const before = layer.parameters().map((p) => p.toList());
    const opt = new SGD(layer, { lr: 0.1 });
    const bad = (): Tensor => mseLoss(layer.forward(x), full([8, 2], Infinity, { dtype: "float64" }));
    expect(() => trainStep({ optimizer: opt, computeLoss: bad })).toThrow(NonFiniteError);
    expect(() => trainStep({ optimizer: opt, computeLoss: bad })).toThrow(/loss is Infinity/);
    expect(layer.parameters().map((p) => p.toList())).toEqual(before);
    expect(layer.weight.grad).toBeNull();
  });

  it("training lowers the loss", () => {
    const { layer, x, y } = setup();
    const opt = new Adam(layer, { lr: 0.05 });
    const losses = Array.from({ length: 30 }, () => trainStep({ optimizer: opt, computeLoss: () => mseLoss(layer.forward(x), y) }).loss);
    expect(losses[29]!).toBeLessThan(losses[0]! * 0.8);
  });
});

/** A tiny Elman RNN from Linear and tensor ops, h_t = tanh(W_x x_t + b + W_h h_{t−1}), batch-first. */
class Elman extends Module {
  readonly wx = this.registerModule("wx", new Linear({ inFeatures: 2, outFeatures: 3, dtype: "float64", generator: new Generator(11) }));
  readonly wh = this.registerModule("wh", new Linear({ inFeatures: 3, outFeatures: 3, bias: false, dtype: "float64", generator: new Generator(12) }));

  /** Runs over x (B, T, 2) from h (B, 3); returns every h_t and the last one. */
  forward(x: Tensor, h: Tensor): { hs: Tensor[]; h: Tensor } {
    const hs: Tensor[] = [];
    for (let t = 0; t < x.shape[1]!; t++) {
      h = tanh(add(this.wx.forward(select(x, 1, t)), linear(h, this.wh.weight)));
      hs.push(h);
    }
    return { hs, h };
  }
}

describe("truncated BPTT", () => {
  const B = 2;
  const T = 7;
  const k = 3;
  const gen = new Generator(3);
  const x = randn([B, T, 2], { dtype: "float64", generator: gen });
  const R = Array.from({ length: T }, () => randn([B, 3], { dtype: "float64", generator: gen }));
  const h0 = (): Tensor => tensor(new Float64Array(B * 3), { shape: [B, 3] });
  /** L = Σ_t h_t ⊙ R_t over the chunk's steps [t0, t0 + hs.length). */
  const chunkLoss = (hs: Tensor[], t0: number): Tensor => hs.map((h, j) => sum(mul(h, R[t0 + j]!))).reduce((a, b) => add(a, b));

  it("detachState keeps the values and cuts the graph, for h and for [h, c]", () => {
    const h = mul(randn([2, 3], { requiresGrad: true }), 2);
    const c = mul(randn([2, 3], { requiresGrad: true }), 3);
    const dh = detachState(h);
    expect(dh.requiresGrad).toBe(false);
    expect(dh.gradFn).toBeNull();
    expect(dh.toList()).toEqual(h.toList());
    const [dh2, dc2] = detachState([h, c] as const);
    expect([dh2.requiresGrad, dc2.requiresGrad]).toEqual([false, false]);
    expect(dc2.toList()).toEqual(c.toList());
  });

  it("timeChunks splits on dim 1 (batch-first) or dim 0 (time-first) into k steps, the last shorter", () => {
    const chunks = timeChunks(x, k, { batchFirst: true });
    expect(chunks.map((c) => c.shape)).toEqual([[B, 3, 2], [B, 3, 2], [B, 1, 2]]);
    expect(cat(chunks, 1).toList()).toEqual(x.toList());
    const tf = randn([T, B, 2]);
    const tfChunks = timeChunks(tf, k);
    expect(tfChunks.map((c) => c.shape[0])).toEqual([3, 3, 1]);
    expect(cat(tfChunks, 0).toList()).toEqual(tf.toList());
    expect(() => timeChunks(x, 0)).toThrow(/k must be a positive integer/);
  });

  it("carrying the detached state gives the same forward values as one full pass", () => {
    const rnn = new Elman();
    const full = rnn.forward(x, h0());
    const { losses, state } = truncatedBptt<Tensor>([x], { k, batchFirst: true }, ([xc], h, index) => {
      const out = rnn.forward(xc!, h ?? h0());
      return { loss: chunkLoss(out.hs, index * k), state: out.h };
    });
    expect(losses).toHaveLength(3);
    state!.toList().forEach((v, j) => expect(v).toBeCloseTo(full.h.data[j]!, 14));
    expect(state!.requiresGrad).toBe(false);
    // The chunk losses add up to the full loss: the forward pass is not truncated.
    expect(losses.reduce((a, b) => a + b)).toBeCloseTo(chunkLoss(full.hs, 0).item(), 12);
  });

  it("gradients stop at chunk boundaries: the accumulated grad is the sum of independent per-chunk grads", () => {
    const rnn = new Elman();
    truncatedBptt<Tensor>([x], { k, batchFirst: true }, ([xc], h, index) => {
      const out = rnn.forward(xc!, h ?? h0());
      return { loss: chunkLoss(out.hs, index * k), state: out.h };
    });
    const tbptt = rnn.wh.weight.grad!.toList();

    // Independently: each chunk from the full run's state at its start, as a fresh leaf.
    const starts = [h0(), ...rnn.forward(x, h0()).hs].filter((_, t) => t % k === 0);
    const summed = new Array(9).fill(0);
    timeChunks(x, k, { batchFirst: true }).forEach((xc, i) => {
      rnn.zeroGrad();
      chunkLoss(rnn.forward(xc, starts[i]!.detach()).hs, i * k).backward();
      rnn.wh.weight.grad!.toList().forEach((g, j) => (summed[j] += g));
    });
    tbptt.forEach((g, j) => expect(g).toBeCloseTo(summed[j]!, 12));

    // Full BPTT differs: gradients there do cross the boundaries.
    rnn.zeroGrad();
    chunkLoss(rnn.forward(x, h0()).hs, 0).backward();
    const fullGrad = rnn.wh.weight.grad!.toList();
    expect(Math.max(...fullGrad.map((g, j) => Math.abs(g - tbptt[j]!)))).toBeGreaterThan(1e-6);
  });

  it("the earlier chunk's input gets no gradient from the later chunk's loss", () => {
    const rnn = new Elman();
    const xg = x.clone().requiresGrad_();
    const [c0, c1] = timeChunks(xg, k, { batchFirst: true });
    const first = rnn.forward(c0!, h0());
    chunkLoss(rnn.forward(c1!, detachState(first.h)).hs, k).backward();
    const g = xg.grad!.toArray() as number[][][];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const norm = Math.hypot(...g[b]![t]!);
        if (t < k || t >= 2 * k) expect(norm).toBe(0);
        else expect(norm).toBeGreaterThan(0);
      }
    }
    // Without detaching, the same loss does reach chunk 0.
    xg.grad = null;
    const attached = rnn.forward(c0!, h0());
    chunkLoss(rnn.forward(c1!, attached.h).hs, k).backward();
    expect(Math.hypot(...(xg.grad!.toArray() as number[][][])[0]![0]!)).toBeGreaterThan(0);
  });

  it("with an optimizer, each chunk is one update", () => {
    const rnn = new Elman();
    const opt = new SGD(rnn, { lr: 0.01 });
    const initial = rnn.wh.weight.toList();
    const { losses } = truncatedBptt<Tensor>([x], { k, batchFirst: true, optimizer: opt }, ([xc], h, index) => {
      const out = rnn.forward(xc!, h ?? h0());
      return { loss: chunkLoss(out.hs, index * k), state: out.h };
    });
    expect(losses).toHaveLength(3);
    expect(opt.stepCalls).toBe(3);
    expect(rnn.wh.weight.toList()).not.toEqual(initial);
    expect(rnn.wh.weight.grad).not.toBeNull();
  });

  it("with an LSTM (time-first, state [h, c]): same final state as one pass, grads = sum of per-chunk grads", () => {
    manualSeed(4);
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const xt = randn([T, B, 2], { dtype: "float64", generator: new Generator(9) });
    const Rt = randn([T, B, 3], { dtype: "float64", generator: new Generator(10) });
    const lossOf = (out: Tensor, t0: number): Tensor => sum(mul(out, narrow(Rt, 0, t0, out.shape[0]!)));

    const { state } = truncatedBptt<[Tensor, Tensor]>([xt], { k }, ([xc], hc, index) => {
      const [out, next] = lstm.forward(xc!, hc);
      return { loss: lossOf(out, index * k), state: next };
    });
    const tbpttGrad = lstm.parameters().map((p) => p.grad!.toList());

    const [fullOut, [hN, cN]] = lstm.forward(xt);
    state![0].toList().forEach((v, j) => expect(v).toBeCloseTo(hN.data[j]!, 14));
    state![1].toList().forEach((v, j) => expect(v).toBeCloseTo(cN.data[j]!, 14));

    // Per chunk, independently, from the full pass's state at the chunk's start (fresh leaves).
    const summed = lstm.parameters().map((p) => new Array<number>(p.size).fill(0));
    let hc: [Tensor, Tensor] | null = null;
    timeChunks(xt, k).forEach((xc, i) => {
      lstm.zeroGrad();
      const [out, next] = lstm.forward(xc, hc ? [hc[0].clone(), hc[1].clone()] : null);
      lossOf(out, i * k).backward();
      lstm.parameters().forEach((p, q) => p.grad!.toList().forEach((g, j) => (summed[q]![j]! += g)));
      hc = next;
    });
    tbpttGrad.forEach((g, q) => g.forEach((v, j) => expect(v).toBeCloseTo(summed[q]![j]!, 12)));
    expect(fullOut.shape).toEqual([T, B, 3]);
  });
});
