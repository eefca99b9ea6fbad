/**
 * Every option that picks a mode accepts only its listed values, and every number option only
 * what makes sense; each refusal names the option, what is allowed and what came. (Each case
 * below was accepted before, and silently changed the maths or ran something else.)
 */
import { describe, expect, it } from "vitest";
import {
  Adam, AdamW, clipGradNorm, crossEntropy, Embedding, fit, GRU, GRUCell, Linear, LSTM, LSTMCell, mseLoss, NonFiniteError, OptionError,
  gradcheck, plot, recallTask, RecurrentClassifier, RNN, RNNCell, SelfAttention, Sequential, SGD, tensor, trainStep, WindowClassifier, zeros,
} from "../../src/index.js";

/** Builders that take options; their mistakes, as a student types them. */
const refused: [string, () => unknown, RegExp][] = [
  ["RNN nonlinearity", () => new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: "sigmoid" as "tanh" }), /RNN: nonlinearity must be one of "tanh", "relu", got "sigmoid"/],
  ["RNNCell nonlinearity", () => new RNNCell({ inputSize: 2, hiddenSize: 3, nonlinearity: "Tanh" as "tanh" }), /RNNCell: nonlinearity must be one of "tanh", "relu", got "Tanh"/],
  ["GRU resetPosition", () => new GRU({ inputSize: 2, hiddenSize: 3, resetPosition: "middle" as "after" }), /GRU: resetPosition must be one of "after", "before", got "middle"/],
  ["GRU updateConvention", () => new GRU({ inputSize: 2, hiddenSize: 3, updateConvention: "bogus" as "pytorch" }), /GRU: updateConvention must be one of "pytorch", "textbook", got "bogus"/],
  ["GRUCell resetPosition", () => new GRUCell({ inputSize: 2, hiddenSize: 3, resetPosition: "middle" as "after" }), /GRUCell: resetPosition must be one of/],
  ["LSTM dtype", () => new LSTM({ inputSize: 2, hiddenSize: 3, dtype: "float16" as "float32" }), /LSTM: dtype must be one of "float32", "float64", got "float16"/],
  ["LSTMCell dtype", () => new LSTMCell({ inputSize: 2, hiddenSize: 3, dtype: "half" as "float32" }), /LSTMCell: dtype must be one of "float32", "float64", got "half"/],
  ["Linear dtype", () => new Linear({ inFeatures: 2, outFeatures: 3, dtype: "float16" as "float32" }), /Linear: dtype must be one of/],
  ["Embedding dtype", () => new Embedding({ numEmbeddings: 4, embeddingDim: 3, dtype: "int8" as "float32" }), /Embedding: dtype must be one of/],
  ["SelfAttention dtype", () => new SelfAttention({ embedDim: 4, dtype: "float16" as "float32" }), /SelfAttention: dtype must be one of/],
  ["WindowClassifier dtype", () => new WindowClassifier({ window: 2, inputSize: 3, hiddenSize: 4, numClasses: 2, dtype: "f32" as "float32" }), /WindowClassifier: dtype must be one of/],
  ["zeros dtype", () => zeros([2], { dtype: "float16" as "float32" }), /dtype must be "float32" or "float64", got "float16"/],
  ["RNN batchFirst", () => new RNN({ inputSize: 2, hiddenSize: 3, batchFirst: "yes" as unknown as boolean }), /RNN: batchFirst must be true or false, got "yes"/],
  ["RNN without options", () => new (RNN as unknown as new () => RNN)(), /RNN: expected an options object such as \{ inputSize: 4, hiddenSize: 8 \}, got undefined/],
  ["GRU with null", () => new GRU(null as unknown as { inputSize: number; hiddenSize: number }), /GRU: expected an options object .* got null/],
  ["RecurrentClassifier kind", () => new RecurrentClassifier({ kind: "transformer" as "rnn", inputSize: 2, hiddenSize: 3, numClasses: 2 }), /RecurrentClassifier: kind must be one of "rnn", "lstm", "gru", got "transformer"/],
  ["RecurrentClassifier readout", () => new RecurrentClassifier({ kind: "rnn", inputSize: 2, hiddenSize: 3, numClasses: 2, readout: "first" as "last" }), /readout must be one of "last", "all", got "first"/],
  ["nonlinearity for an LSTM", () => new RecurrentClassifier({ kind: "lstm", inputSize: 2, hiddenSize: 3, numClasses: 2, nonlinearity: "relu" }), /nonlinearity is for kind "rnn" only/],
  ["one-layer dropout", () => new GRU({ inputSize: 2, hiddenSize: 3, dropout: 0.5 }), /GRU: dropout applies between stacked layers/],
  ["crossEntropy reduction", () => crossEntropy(tensor([[1, 2]]), [0], { reduction: "avg" as "mean" }), /crossEntropy: reduction must be one of "mean", "sum", "none", got "avg"/],
  ["mseLoss reduction", () => mseLoss(tensor([1]), tensor([2]), { reduction: "average" as "mean" }), /mseLoss: reduction must be one of "mean", "sum", "none", got "average"/],
];

const params = () => [tensor([1, 2], { requiresGrad: true })];
const numbers: [string, () => unknown, RegExp][] = [
  ["SGD lr Infinity", () => new SGD(params(), { lr: Infinity }), /SGD: lr must be a finite number ≥ 0, got Infinity/],
  ["SGD weightDecay NaN", () => new SGD(params(), { lr: 0.1, weightDecay: NaN }), /SGD: weightDecay must be a finite number ≥ 0, got NaN/],
  ["SGD dampening NaN", () => new SGD(params(), { lr: 0.1, dampening: NaN }), /SGD: dampening must be a finite number ≥ 0 and ≤ 1, got NaN/],
  ["SGD without lr", () => new SGD(params(), {} as { lr: number }), /SGD: lr must be a finite number ≥ 0, got undefined/],
  ["Adam eps -1", () => new Adam(params(), { eps: -1 }), /Adam: eps must be a finite number > 0, got -1/],
  ["Adam eps 0", () => new Adam(params(), { eps: 0 }), /Adam: eps must be a finite number > 0, got 0/],
  ["AdamW betas", () => new AdamW(params(), { betas: [0.9, 1] }), /AdamW: betas\[1\] must be a finite number ≥ 0 and < 1, got 1/],
  ["Adam onNonFinite", () => new Adam(params(), { onNonFinite: "ignore" as "skip" }), /Adam: onNonFinite must be one of "throw", "skip", got "ignore"/],
  ["clipGradNorm -1", () => clipGradNorm(params(), -1), /clipGradNorm: maxNorm must be a finite number > 0, got -1/],
  ["clipGradNorm normType 0", () => clipGradNorm(params(), 1, 0), /clipGradNorm: normType must be a number > 0, got 0/],
];

describe("options that pick a mode", () => {
  it.each(refused)("%s: refused, naming the allowed values", (_, build, message) => {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(String(error)).toMatch(message);
  });

  it("the allowed values still work, and the defaults are PyTorch's", () => {
    expect(new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: "relu" }).nonlinearity).toBe("relu");
    expect(new RNN({ inputSize: 2, hiddenSize: 3 }).nonlinearity).toBe("tanh");
    const g = new GRU({ inputSize: 2, hiddenSize: 3, resetPosition: "before", updateConvention: "textbook" });
    expect([g.resetPosition, g.updateConvention]).toEqual(["before", "textbook"]);
    expect(new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, dropout: 0.5, dtype: "float64" }).dtype).toBe("float64");
    expect(crossEntropy(tensor([[1, 2]]), [0], { reduction: "sum" }).item()).toBeCloseTo(Math.log(1 + Math.E), 6);
  });

  it("an LSTM takes exactly [h0, c0]: a third state is refused", () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const s = zeros([1, 1, 3]);
    expect(() => lstm.forward(zeros([4, 1, 2]), [s, s, s] as unknown as [typeof s, typeof s])).toThrow(/hx must be \[h0, c0\] \(two tensors\) or null for zeros, got a list of 3/);
    expect(() => new LSTMCell({ inputSize: 2, hiddenSize: 3 }).forward(zeros([1, 2]), [zeros([1, 3]), zeros([1, 3]), zeros([1, 3])] as unknown as [typeof s, typeof s])).toThrow(/hx must be \[h, c\]/);
  });
});

describe("options that are numbers", () => {
  it.each(numbers)("%s: refused with the option's name", (_, build, message) => {
    expect(build).toThrow(OptionError);
    expect(build).toThrow(message);
  });

  const task = recallTask({ lag: 2, n: 16 });
  const model = () => new RecurrentClassifier({ kind: "rnn", inputSize: task.inputSize, hiddenSize: 4, numClasses: task.numClasses });
  it.each([
    [{ steps: -5 }, /fit: steps must be a whole number ≥ 1, got -5/],
    [{ steps: NaN }, /fit: steps must be a whole number ≥ 1, got NaN/],
    [{ steps: 2.5 }, /fit: steps must be a whole number ≥ 1, got 2\.5/],
    [{ batchSize: 0 }, /fit: batchSize must be a whole number ≥ 1, got 0/],
    [{ batchSize: 2.5 }, /fit: batchSize must be a whole number ≥ 1, got 2\.5/],
    [{ logEvery: 0 }, /fit: logEvery must be a whole number ≥ 1, got 0/],
    [{ clip: -1 }, /fit: clip must be a finite number > 0, got -1/],
    [{ lr: 0 }, /fit: lr must be a finite number > 0, got 0/],
    [{ optimizer: "rmsprop" }, /fit: optimizer must be one of "adam", "sgd", got "rmsprop"/],
    [{ optimizer: 3 }, /fit: optimizer must be "adam", "sgd" or an optimiser/],
  ] as [Record<string, unknown>, RegExp][])("fit(%j) is refused before any step", (opts, message) => {
    const m = model();
    const before = m.parameters().map((p) => [...p.data]);
    expect(() => fit(m, task, opts)).toThrow(message);
    expect(m.parameters().map((p) => [...p.data])).toEqual(before);
  });

  it("a step that makes a parameter non-finite from finite gradients is stopped at that step, naming it", () => {
    const p = tensor([1e300, 1], { dtype: "float64", requiresGrad: true });
    const opt = new SGD([["w", p] as const], { lr: 1e300 });
    p.grad = tensor([1e10, 1], { dtype: "float64" });
    expect(() => opt.step()).toThrow(NonFiniteError);
    expect(() => {
      p.data[0] = 1;
      p.grad = tensor([-1e300, 1], { dtype: "float64" });
      opt.step();
    }).toThrow(/step 2: the update made w Infinity at flat index 0 although every gradient was finite/);
  });

  it("fit's non-finite error names the step and the batch", () => {
    // One NaN in the inputs: the first batch that draws row 3 fails.
    const x = task.x.clone();
    for (let k = 0; k < x.size / x.shape[0]!; k++) x.data[3 * (x.size / x.shape[0]!) + k] = NaN;
    let message = "";
    try {
      fit(model(), { x, y: task.y }, { steps: 50, batchSize: 4 });
    } catch (e) {
      message = String(e);
    }
    expect(message).toMatch(/^NonFiniteError: fit, step \d+ \(batch: rows (\d+, ){3}\d+ of the data\): /);
    expect(message.match(/rows ([\d, ]+) of/)![1]!.split(", ")).toContain("3");
    let whole = "";
    try {
      fit(model(), { x, y: task.y }, { steps: 5 });
    } catch (e) {
      whole = String(e);
    }
    expect(whole).toMatch(/^NonFiniteError: fit, step 1 \(batch: the whole data set\): /);
  });
});

describe("sizes past the limit are refused at once, naming the option and the memory", () => {
  it.each([
    ["RNN hiddenSize 1e9", () => new RNN({ inputSize: 4, hiddenSize: 1e9 }), /RNN: hiddenSize 1000000000 makes a weight of shape \(1000000000, 1000000000\), which would hold 1\.00e\+18 numbers \(.* as float32\); seqlab allows at most 268435456 \(1\.0 GiB\) per tensor/],
    ["LSTM hiddenSize 1e5", () => new LSTM({ inputSize: 4, hiddenSize: 1e5 }), /LSTM: hiddenSize 100000 makes a weight of shape \(400000, 100000\), which would hold 4\.00e\+10 numbers/],
    ["zeros([1e9])", () => zeros([1e9]), /a tensor of shape \(1000000000,\) would hold 1\.00e\+9 numbers \(3\.7 GiB as float32\)/],
    ["Embedding 1e9 rows", () => new Embedding({ numEmbeddings: 1e9, embeddingDim: 8 }), /Embedding: numEmbeddings 1000000000 × embeddingDim 8 would hold/],
    ["Linear 1e6 × 1e6", () => new Linear({ inFeatures: 1e6, outFeatures: 1e6, dtype: "float64" }), /Linear: inFeatures 1000000 × outFeatures 1000000 .*as float64\); .*2\.0 GiB/],
    ["zeros(\"abc\")", () => zeros("abc" as unknown as number[]), /a shape must be a list of sizes such as \[2, 3\], got "abc"/],
  ] as [string, () => unknown, RegExp][])("%s", (_, build, message) => {
    // seqlab's own message, so refused before any allocation (V8's would say "Invalid typed array length").
    expect(build).toThrow(message);
  });
});

describe("wrong arguments get seqlab's message, not a raw TypeError from inside", () => {
  const lin = () => new Linear({ inFeatures: 2, outFeatures: 3 });
  it.each([
    ["RNN.forward(null)", () => new RNN({ inputSize: 2, hiddenSize: 3 }).forward(null as never), /RNN: the input must be a Tensor \(e\.g\. from tensor\(\[\.\.\.\]\) or randn\(\[\.\.\.\]\)\), got null/],
    ["GRUCell.forward(undefined)", () => new GRUCell({ inputSize: 2, hiddenSize: 3 }).forward(undefined as never), /GRUCell: the input must be a Tensor/],
    ["Linear.forward([1, 2])", () => lin().forward([1, 2] as never), /Linear: the input must be a Tensor .*got a list of 2/],
    ["new SGD([1, 2])", () => new SGD([1, 2] as never, { lr: 0.1 }), /SGD: params\[0\] must be a Tensor \(model\.parameters\(\) gives them\) or a \[name, Tensor\] pair, got number 1/],
    ["new Adam(null)", () => new Adam(null as never), /Adam: expected a model, model\.parameters\(\) or model\.namedParameters\(\), got null/],
    ["new Sequential(lin, 3)", () => new Sequential(lin(), 3 as never), /Sequential: module 1 must be a layer such as new Linear\(\{ … \}\), got number 3/],
    ["plot.gates(null)", () => plot.gates(null as never), /plot\.gates: expected a trace \(the third value of forward\(x, h0, \{ trace: true \}\)\), got null/],
    ["plot.states(3)", () => plot.states(3 as never), /plot\.states: expected a trace/],
    ["plot.saturation([1])", () => plot.saturation([1] as never), /plot\.saturation: expected a trace .*got a list of something else/],
    ["gradcheck(() => 3)", () => gradcheck(() => 3 as never, [zeros([2], { dtype: "float64", requiresGrad: true })]), /gradcheck: what fn returns must be a Tensor .*got a number/],
    ["trainStep with a number loss", () => trainStep({ optimizer: new SGD(params(), { lr: 0.1 }), computeLoss: () => 3 as never }), /trainStep: what computeLoss returns must be a Tensor .*got a number/],
    ["backward with a float64 gradient on float32", () => {
      const x = zeros([2], { requiresGrad: true });
      x.mul(x).backward(zeros([2], { dtype: "float64" }));
    }, /backward\(gradient\): the gradient is float64 but the tensor is float32; convert it with \.to\("float32"\)/],
  ] as [string, () => unknown, RegExp][])("%s", (_, call, message) => {
    expect(call).toThrow(message);
  });

  it("plot.liveTraining blames the caller for a repeated step or a string loss, and keeps nothing of it", () => {
    const live = plot.liveTraining({ totalSteps: 10, throttleMs: 60_000 });
    void live.step(1, { loss: 0.5 });
    expect(() => live.step(1, { loss: 0.4 })).toThrow(/plot\.liveTraining: step must be a whole number ≥ 1 and greater than the last step \(1\), got 1/);
    expect(() => live.step(2, { loss: "0.4" as never })).toThrow(/plot\.liveTraining: loss at step 2 must be a number, got "0\.4"/);
    void live.step(2, { loss: 0.4 });
    const run = live.finish().runs.at(-1)!;
    expect([run.steps, run.loss]).toEqual([[1, 2], [0.5, 0.4]]);
  });
});

describe("seqlab's errors read message first, then only the caller's frames", () => {
  it("a ShapeError's stack: the message, then frames of this file, none from seqlab or the engine", () => {
    let error: Error | undefined;
    try {
      new LSTM({ inputSize: 2, hiddenSize: 4 }).forward(zeros([1, 3, 5]));
    } catch (e) {
      error = e as Error;
    }
    const lines = error!.stack!.split("\n");
    expect(lines[0]).toBe("ShapeError: LSTM: expected input of shape (T, B, 2) (inputSize = 2), got (1, 3, 5)");
    expect(lines.slice(1).every((l) => /^\s+at /.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("options.test.ts"))).toBe(true);
    expect(lines.filter((l) => /\/src\/|node:/.test(l) && !l.includes("/test/"))).toEqual([]);
    // What Node's vm does to an uncaught error (and so tslab shows): prepend the source line that threw.
    error!.stack = `file:///x/dist/nn/recurrent/modules.js:175\n    throw new ShapeError(…);\n    ^\n\n${error!.stack}`;
    expect(error!.stack!.split("\n")[0]).toBe(lines[0]);
  });
});
