/**
 * Bad input gives an error that names the expected and the actual shape (or dtype); default
 * initialisation is PyTorch's U(−1/√H, 1/√H) and reproducible under manualSeed; unbatched input.
 */
import { describe, expect, it } from "vitest";
import {
  DTypeError, GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, ShapeError, Tensor, manualSeed, randn, zeros,
} from "../../src/index.js";

const f64 = { dtype: "float64" as const };

describe("bad input to RNN / LSTM / GRU", () => {
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, ...f64 });
  const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true, ...f64 });
  const x = zeros([5, 2, 3], f64);

  it("wrong input feature size", () => {
    expect(() => lstm.forward(zeros([5, 2, 7], f64))).toThrow(ShapeError);
    expect(() => lstm.forward(zeros([5, 2, 7], f64))).toThrow("expected input of shape (T, B, 3) (inputSize = 3), got (5, 2, 7)");
    expect(() => gru.forward(zeros([2, 5, 7], f64))).toThrow("expected input of shape (B, T, 3) (inputSize = 3), got (2, 5, 7)");
    expect(() => gru.forward(zeros([5, 7], f64))).toThrow("expected input of shape (T, 3) (inputSize = 3), got (5, 7)");
  });

  it("wrong rank", () => {
    expect(() => lstm.forward(zeros([5], f64))).toThrow(ShapeError);
    expect(() => lstm.forward(zeros([5], f64))).toThrow("expected a 3-D input (T, B, 3) or a 2-D unbatched input (T, 3), got shape (5,)");
    expect(() => gru.forward(zeros([1, 5, 2, 3], f64))).toThrow("expected a 3-D input (B, T, 3) or a 2-D unbatched input (T, 3), got shape (1, 5, 2, 3)");
  });

  it("wrong h0 / c0 shape", () => {
    const h = zeros([2, 2, 4], f64);
    expect(() => lstm.forward(x, [zeros([1, 2, 4], f64), h])).toThrow("LSTM: expected h0 of shape (2, 2, 4), got (1, 2, 4)");
    expect(() => lstm.forward(x, [h, zeros([2, 3, 4], f64)])).toThrow("LSTM: expected c0 of shape (2, 2, 4), got (2, 3, 4)");
    expect(() => gru.forward(zeros([2, 5, 3], f64), zeros([1, 5, 4], f64))).toThrow("GRU: expected h0 of shape (1, 2, 4), got (1, 5, 4)");
    const proj = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, ...f64 });
    expect(() => proj.forward(x, [zeros([1, 2, 4], f64), zeros([1, 2, 4], f64)])).toThrow("expected h0 of shape (1, 2, 2), got (1, 2, 4)");
  });

  it("passing only h0 to an LSTM", () => {
    const onlyH0 = zeros([2, 2, 4], f64) as unknown as [Tensor, Tensor];
    expect(() => lstm.forward(x, onlyH0)).toThrow(/\[h0, c0\]/);
    expect(() => lstm.forward(x, [zeros([2, 2, 4], f64)] as unknown as [Tensor, Tensor])).toThrow(/only h0/);
  });

  it("lengths: wrong count, longer than the sequence, not positive integers", () => {
    expect(() => lstm.forward(x, null, { lengths: [5, 5, 5] })).toThrow("lengths has 3 entries but the batch has 2 sequences (input shape (5, 2, 3))");
    expect(() => lstm.forward(x, null, { lengths: [5, 6] })).toThrow("lengths[1] = 6 is longer than the sequence (T = 5, input shape (5, 2, 3))");
    expect(() => lstm.forward(x, null, { lengths: [0, 5] })).toThrow("lengths[0] = 0; every length must be a positive integer");
    expect(() => lstm.forward(x, null, { lengths: [2.5, 5] })).toThrow("lengths[0] = 2.5; every length must be a positive integer");
    expect(() => lstm.forward(x, null, { lengths: [2.5, 5] })).toThrow(ShapeError);
  });

  it("dtype mismatch between input (or state) and parameters", () => {
    expect(() => lstm.forward(zeros([5, 2, 3]))).toThrow(DTypeError);
    expect(() => lstm.forward(zeros([5, 2, 3]))).toThrow("LSTM: the input is float32 but the parameters are float64");
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
    expect(() => rnn.forward(zeros([5, 2, 3]), zeros([1, 2, 4], f64))).toThrow("RNN: h0 is float64 but the parameters are float32");
  });
});

describe("bad input to the cells", () => {
  it("names the expected and actual shapes", () => {
    const cell = new LSTMCell({ inputSize: 3, hiddenSize: 4, ...f64 });
    expect(() => cell.forward(zeros([2, 5], f64))).toThrow("LSTMCell: expected input of shape (B, 3) (inputSize = 3), got (2, 5)");
    expect(() => cell.forward(zeros([1, 2, 3], f64))).toThrow("expected a 2-D input (B, 3) or a 1-D unbatched input (3,), got shape (1, 2, 3)");
    expect(() => cell.forward(zeros([2, 3], f64), [zeros([2, 4], f64), zeros([3, 4], f64)])).toThrow("LSTMCell: expected c of shape (2, 4), got (3, 4)");
    expect(() => new GRUCell({ inputSize: 3, hiddenSize: 4, ...f64 }).forward(zeros([2, 3], f64), zeros([4], f64))).toThrow("GRUCell: expected h of shape (2, 4), got (4,)");
    expect(() => new RNNCell({ inputSize: 3, hiddenSize: 4 }).forward(zeros([2, 3], f64))).toThrow(DTypeError);
  });
});

describe("default initialisation", () => {
  const makers = [
    () => new RNN({ inputSize: 3, hiddenSize: 9, numLayers: 2, bidirectional: true }),
    () => new LSTM({ inputSize: 3, hiddenSize: 9, projSize: 4 }),
    () => new GRU({ inputSize: 3, hiddenSize: 9 }),
    () => new LSTMCell({ inputSize: 3, hiddenSize: 9 }),
  ];
  it.each(makers.map((m, k) => [k, m] as const))("module %i: values within ±1/√H, spread over the range, same seed → same parameters", (_, make) => {
    manualSeed(123);
    const a = make();
    manualSeed(123);
    const b = make();
    manualSeed(124);
    const c = make();
    const values = a.parameters().flatMap((p) => p.toList());
    const bound = 1 / 3;
    expect(values.every((v) => Math.abs(v) <= bound)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0.9 * bound);
    expect(Math.min(...values)).toBeLessThan(-0.9 * bound);
    expect(b.parameters().flatMap((p) => p.toList())).toEqual(values);
    expect(c.parameters().flatMap((p) => p.toList())).not.toEqual(values);
  });
});

describe("unbatched input", () => {
  it("a 2-D input (T, I) gives the same numbers as a batch of one, with PyTorch's unbatched shapes", () => {
    manualSeed(9);
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, batchFirst: true, ...f64 });
    const x = randn([5, 3], f64);
    const h0 = randn([4, 4], f64);
    const c0 = randn([4, 4], f64);
    const [out, [hN, cN]] = lstm.forward(x, [h0, c0]);
    expect(out.shape).toEqual([5, 8]);
    expect(hN.shape).toEqual([4, 4]);
    expect(cN.shape).toEqual([4, 4]);
    const batched = lstm.forward(new Tensor(x.data, [1, 5, 3]), [new Tensor(h0.data, [4, 1, 4]), new Tensor(c0.data, [4, 1, 4])]);
    expect(out.toList()).toEqual(batched[0].toList());
    expect(hN.toList()).toEqual(batched[1][0].toList());
    expect(cN.toList()).toEqual(batched[1][1].toList());
  });
});
