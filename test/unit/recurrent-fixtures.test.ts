/**
 * nn.RNN / nn.LSTM / nn.GRU against PyTorch's recorded numbers: every `rnn`-kind fixture (and the
 * gates fixtures, which are rnn cases too), in float64 and float32, forward and all gradients.
 */
import { describe, expect, it } from "vitest";
import { LSTM, tensor, type DType, type Tensor } from "../../src/index.js";
import { expectClose, fromFixture, loadFixture, type Fixture } from "./pytorch-fixtures.js";
import { fixturesOfKind, moduleFromConfig, paramGrads, runModule, weightedSum } from "./recurrent-helpers.js";

const RNN_CASES = fixturesOfKind("rnn", "rnn_gates");

it("finds at least the README's rnn fixtures (37 per mode, 38 for lstm and gru, 2 lstmproj)", () => {
  const count = (re: RegExp): number => RNN_CASES.filter((n) => re.test(n)).length;
  expect(count(/^rnn_tanh_/)).toBeGreaterThanOrEqual(37);
  expect(count(/^rnn_relu_/)).toBeGreaterThanOrEqual(37);
  expect(count(/^(lstm|gates_lstm)_/)).toBeGreaterThanOrEqual(38);
  expect(count(/^(gru|gates_gru)_/)).toBeGreaterThanOrEqual(38);
  expect(count(/^lstmproj_/)).toBeGreaterThanOrEqual(2);
});

/** Forward and one backward of the fixture's loss, in `dtype`. */
function runFixture(fx: Fixture, dtype: DType) {
  const m = moduleFromConfig(fx.config, dtype);
  m.loadStateDict(fx.params);
  const x = fromFixture(fx.input, dtype, true);
  const h0 = fx.h0 ? fromFixture(fx.h0, dtype, true) : null;
  const c0 = fx.c0 ? fromFixture(fx.c0, dtype, true) : null;
  const [output, hN, cN] = runModule(m, x, h0, c0);
  const pairs: [Tensor, Tensor][] = [
    [output, fromFixture(fx.loss.R_output, dtype)],
    [hN, fromFixture(fx.loss.R_h_n, dtype)],
  ];
  if (cN) pairs.push([cN, fromFixture(fx.loss.R_c_n, dtype)]);
  const loss = weightedSum(pairs);
  loss.backward();
  return { m, x, h0, c0, output, hN, cN, loss };
}

function expectGrads(r: ReturnType<typeof runFixture>, grads: Fixture, dtype: DType): void {
  const got = paramGrads(r.m);
  expect([...got.keys()]).toEqual(Object.keys(grads.params));
  for (const [name, g] of got) expectClose(g, grads.params[name], dtype, `grad ${name}`);
  expectClose(r.x.grad, grads.input, dtype, "grad input");
  if (grads.h0) expectClose(r.h0!.grad, grads.h0, dtype, "grad h0");
  if (grads.c0) expectClose(r.c0!.grad, grads.c0, dtype, "grad c0");
}

describe.each(RNN_CASES)("%s", (name) => {
  const fx = loadFixture(name);

  it("has PyTorch's parameter names, order and shapes", () => {
    const m = moduleFromConfig(fx.config, "float64");
    expect(m.namedParameters().map(([n]) => n)).toEqual(fx.param_names);
    for (const [n, p] of m.namedParameters()) expect([...p.shape]).toEqual(fx.params[n].shape);
  });

  it("float64: output, h_n, c_n and every gradient within 1e-9", () => {
    const r = runFixture(fx, "float64");
    expectClose(r.output, fx.output, "float64", "output");
    expectClose(r.hN, fx.h_n, "float64", "h_n");
    if (fx.c_n) expectClose(r.cN, fx.c_n, "float64", "c_n");
    expect(Math.abs(r.loss.item() - fx.loss.value)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(fx.loss.value)));
    expectGrads(r, fx.grads, "float64");
  });

  it("float32: matches PyTorch's float32 run within 1e-4", () => {
    const r = runFixture(fx, "float32");
    expect(r.output.dtype).toBe("float32");
    expectClose(r.output, fx.float32.output, "float32", "output");
    expectClose(r.hN, fx.float32.h_n, "float32", "h_n");
    if (fx.float32.c_n) expectClose(r.cN, fx.float32.c_n, "float32", "c_n");
    expectGrads(r, fx.float32.grads ?? fx.grads, "float32");
  });
});

describe("the worked example lstm_example_i2h4t3b1", () => {
  it("LSTM({inputSize: 2, hiddenSize: 4, batchFirst: true}) on [[[1,2],[3,4],[5,6]]]", () => {
    const fx = loadFixture("lstm_example_i2h4t3b1");
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 4, numLayers: 1, batchFirst: true, dtype: "float64" });
    lstm.loadStateDict(fx.params);
    const x = tensor([[[1, 2], [3, 4], [5, 6]]], { dtype: "float64" });
    const [out, [hN, cN]] = lstm.forward(x);
    expect(out.shape).toEqual([1, 3, 4]);
    expect(hN.shape).toEqual([1, 1, 4]);
    expect(cN.shape).toEqual([1, 1, 4]);
    expect(x.toList()).toEqual(fx.input.data);
    expectClose(out, fx.output, "float64", "output");
    expectClose(hN, fx.h_n, "float64", "h_n");
    expectClose(cN, fx.c_n, "float64", "c_n");
  });
});

describe.each(fixturesOfKind("rnn_gates"))("%s: the trace equals the recorded gates", (name) => {
  const fx = loadFixture(name);
  it.each(["float64", "float32"] as const)("%s", (dtype) => {
    const m = moduleFromConfig(fx.config, dtype);
    m.loadStateDict(fx.params);
    const x = fromFixture(fx.input, dtype);
    const h0 = fx.h0 ? fromFixture(fx.h0, dtype) : null;
    const c0 = fx.c0 ? fromFixture(fx.c0, dtype) : null;
    const trace = m instanceof LSTM
      ? m.forward(x, h0 && c0 ? [h0, c0] : null, { trace: true })[2]
      : m.forward(x, h0, { trace: true })[2];
    const keys = Object.keys(fx.gates).filter((k) => k !== "note");
    expect(trace.map((e) => e.key)).toEqual(keys);
    const names = fx.config.module === "LSTM" ? ["i", "f", "g", "o", "c", "h"] : ["r", "z", "n", "h"];
    trace.forEach((entry) => {
      const rec = fx.gates[entry.key];
      for (const g of names) expectClose((entry as unknown as Record<string, Tensor>)[g], rec[g], dtype, `${entry.key}.${g}`);
      expect(entry.dh).toBeNull();
    });
  });
});
