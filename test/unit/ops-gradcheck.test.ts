/**
 * Every op's backward against central finite differences (gradcheck, float64), including
 * broadcast operands, batched matmul and a hand-written RNN cell unrolled over 3 steps.
 */
import { describe, expect, it } from "vitest";
import {
  Generator, Tensor, add, cat, div, exp, expand, gradcheck, indexSelect, log, logSoftmax, matmul, mean, mul, narrow, neg,
  permute, pow, rand, randn, relu, reshape, select, sigmoid, slice, softmax, sqrt, squeeze, stack, sub, sum, tanh,
  transpose, unsqueeze,
} from "../../src/index.js";

const gen = new Generator(1234);
/** A float64 leaf of standard normal values that requires grad. */
const r = (...shape: number[]): Tensor => randn(shape, { dtype: "float64", requiresGrad: true, generator: gen });
/** Positive values in [0.5, 2), for sqrt, log, pow with fractional exponents, and divisors. */
const pos = (...shape: number[]): Tensor => rand(shape, { dtype: "float64", requiresGrad: true, generator: gen, low: 0.5, high: 2 });

interface Case {
  name: string;
  fn: (...xs: Tensor[]) => Tensor | Tensor[];
  inputs: () => Tensor[];
}

const cases: Case[] = [
  // Elementwise, same shapes and broadcast shapes (gradient summed over broadcast dims).
  { name: "add same shape", fn: (a, b) => add(a!, b!), inputs: () => [r(2, 3), r(2, 3)] },
  { name: "add (2,3) + (3,)", fn: (a, b) => add(a!, b!), inputs: () => [r(2, 3), r(3)] },
  { name: "add (4,1,3) + (2,1)", fn: (a, b) => add(a!, b!), inputs: () => [r(4, 1, 3), r(2, 1)] },
  { name: "add 0-d + (2,3)", fn: (a, b) => add(a!, b!), inputs: () => [r(), r(2, 3)] },
  { name: "add number", fn: (a) => add(a!, 2.5), inputs: () => [r(2, 3)] },
  { name: "sub (2,1) - (1,3)", fn: (a, b) => sub(a!, b!), inputs: () => [r(2, 1), r(1, 3)] },
  { name: "sub number", fn: (a) => sub(a!, 1.5), inputs: () => [r(3)] },
  { name: "mul (3,1,2) * (4,2)", fn: (a, b) => mul(a!, b!), inputs: () => [r(3, 1, 2), r(4, 2)] },
  { name: "mul same tensor twice", fn: (a) => mul(a!, a!), inputs: () => [r(2, 2)] },
  { name: "mul number", fn: (a) => mul(a!, -3), inputs: () => [r(2, 2)] },
  { name: "div (2,3) / (2,1)", fn: (a, b) => div(a!, b!), inputs: () => [r(2, 3), pos(2, 1)] },
  { name: "div number", fn: (a) => div(a!, 4), inputs: () => [r(2, 3)] },
  // Unary.
  { name: "neg", fn: (a) => neg(a!), inputs: () => [r(2, 3)] },
  { name: "pow 3", fn: (a) => pow(a!, 3), inputs: () => [r(2, 3)] },
  { name: "pow -1.5", fn: (a) => pow(a!, -1.5), inputs: () => [pos(2, 3)] },
  { name: "sqrt", fn: (a) => sqrt(a!), inputs: () => [pos(2, 3)] },
  { name: "exp", fn: (a) => exp(a!), inputs: () => [r(2, 3)] },
  { name: "log", fn: (a) => log(a!), inputs: () => [pos(2, 3)] },
  { name: "tanh", fn: (a) => tanh(a!), inputs: () => [r(2, 3)] },
  { name: "sigmoid", fn: (a) => sigmoid(a!), inputs: () => [mul(r(2, 3), 5)] },
  { name: "relu", fn: (a) => relu(a!), inputs: () => [r(3, 4)] },
  // Reductions.
  { name: "sum all", fn: (a) => sum(a!), inputs: () => [r(2, 3, 4)] },
  { name: "sum dim 1", fn: (a) => sum(a!, 1), inputs: () => [r(2, 3, 4)] },
  { name: "sum dims [0, -1] keepdim", fn: (a) => sum(a!, [0, -1], true), inputs: () => [r(2, 3, 4)] },
  { name: "mean all", fn: (a) => mean(a!), inputs: () => [r(2, 3)] },
  { name: "mean dim -1 keepdim", fn: (a) => mean(a!, -1, true), inputs: () => [r(2, 3, 4)] },
  // Matrix products.
  { name: "matmul 2-D", fn: (a, b) => matmul(a!, b!), inputs: () => [r(2, 3), r(3, 4)] },
  { name: "matmul batched (2,3,4)@(2,4,5)", fn: (a, b) => matmul(a!, b!), inputs: () => [r(2, 3, 4), r(2, 4, 5)] },
  { name: "matmul batch broadcast (2,1,3,4)@(3,4,2)", fn: (a, b) => matmul(a!, b!), inputs: () => [r(2, 1, 3, 4), r(3, 4, 2)] },
  { name: "matmul batched @ 2-D", fn: (a, b) => matmul(a!, b!), inputs: () => [r(2, 3, 4), r(4, 2)] },
  { name: "matmul 1-D @ 1-D", fn: (a, b) => matmul(a!, b!), inputs: () => [r(4), r(4)] },
  { name: "matmul 1-D @ batched", fn: (a, b) => matmul(a!, b!), inputs: () => [r(3), r(2, 3, 4)] },
  { name: "matmul batched @ 1-D", fn: (a, b) => matmul(a!, b!), inputs: () => [r(2, 3, 4), r(4)] },
  // Shape ops.
  { name: "reshape with -1", fn: (a) => reshape(a!, [3, -1]), inputs: () => [r(2, 3, 2)] },
  { name: "unsqueeze / squeeze", fn: (a) => [unsqueeze(a!, -1), squeeze(a!)], inputs: () => [r(2, 1, 3)] },
  { name: "transpose", fn: (a) => transpose(a!, 0, -1), inputs: () => [r(2, 3, 4)] },
  { name: "permute", fn: (a) => permute(a!, [2, 0, 1]), inputs: () => [r(2, 3, 4)] },
  { name: ".T", fn: (a) => a!.T, inputs: () => [r(3, 4)] },
  { name: "expand", fn: (a) => expand(a!, [2, 3, -1]), inputs: () => [r(3, 1)] },
  { name: "cat dim 1", fn: (a, b, c) => cat([a!, b!, c!], 1), inputs: () => [r(2, 1, 3), r(2, 2, 3), r(2, 3, 3)] },
  { name: "stack dim -1", fn: (a, b) => stack([a!, b!], -1), inputs: () => [r(2, 3), r(2, 3)] },
  { name: "narrow", fn: (a) => narrow(a!, 1, 1, 2), inputs: () => [r(2, 4, 3)] },
  { name: "slice", fn: (a) => slice(a!, -1, 1, -1), inputs: () => [r(2, 5)] },
  { name: "select", fn: (a) => select(a!, 1, -1), inputs: () => [r(2, 3, 4)] },
  { name: "indexSelect with repeats", fn: (a) => indexSelect(a!, 1, [2, 0, 2, 2]), inputs: () => [r(2, 3, 2)] },
  // Softmax.
  { name: "softmax dim -1", fn: (a) => softmax(a!, -1), inputs: () => [r(3, 4)] },
  { name: "softmax dim 0 of 3-D", fn: (a) => softmax(a!, 0), inputs: () => [r(3, 2, 2)] },
  { name: "logSoftmax dim 1", fn: (a) => logSoftmax(a!, 1), inputs: () => [r(2, 4, 3)] },
];

describe("gradcheck of every op (float64)", () => {
  it.each(cases)("$name", ({ fn, inputs }) => {
    const xs = inputs().map((t) => (t.isLeaf ? t : t.detach().requiresGrad_()));
    const result = gradcheck(fn, xs);
    expect(result.ok).toBe(true);
    expect(result.checked).toBe(xs.reduce((s, t) => s + t.size, 0));
  });

  it("a composite expression mixing methods and broadcasting", () => {
    const fn = (x: Tensor, w: Tensor, b: Tensor): Tensor =>
      x.matmul(w.T).add(b).sigmoid().mul(x.sum(-1, true)).logSoftmax(-1).mean(0);
    expect(gradcheck(fn, [r(5, 3), r(4, 3), r(4)]).ok).toBe(true);
  });

  it("gradcheck would notice a wrong gradient (sanity check of the harness)", () => {
    const wrong = (a: Tensor): Tensor => {
      // Forward 2a², but detach() hides one path: autograd reports 2a instead of 4a.
      return mul(mul(a, 2), a.detach());
    };
    expect(gradcheck(wrong, [r(3)], { raiseException: false }).ok).toBe(false);
  });
});

describe("a hand-written RNN cell h = tanh(x Wxᵀ + h Whᵀ + b)", () => {
  const cell = (x: Tensor, h: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor): Tensor => tanh(x.matmul(Wx.T).add(h.matmul(Wh.T)).add(b));

  it("backpropagates through 3 steps into the weights, the inputs and h0", () => {
    const [T, B, I, H] = [3, 2, 3, 4];
    const run = (xs: Tensor, h0: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor): Tensor[] => {
      let h_t = h0;
      const hs: Tensor[] = [];
      for (let t = 0; t < T; t++) {
        h_t = cell(select(xs, 0, t), h_t, Wx, Wh, b);
        hs.push(h_t);
      }
      return [stack(hs, 0), h_t];
    };
    const inputs = [r(T, B, I), r(B, H), mul(r(H, I), 0.5), mul(r(H, H), 0.5), r(H)].map((t) => (t.isLeaf ? t : t.detach().requiresGrad_()));
    const result = gradcheck(run, inputs);
    expect(result.ok).toBe(true);
    expect(result.checked).toBe(T * B * I + B * H + H * I + H * H + H);
  });
});
