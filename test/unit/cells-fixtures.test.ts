/**
 * nn.RNNCell / nn.LSTMCell / nn.GRUCell against PyTorch: every cell_* fixture, float64 and float32,
 * h1 (c1) and the gradients of every parameter, the input and the initial state.
 */
import { describe, expect, it } from "vitest";
import { LSTMCell, type DType, type Tensor } from "../../src/index.js";
import { expectClose, fromFixture, loadFixture } from "./pytorch-fixtures.js";
import { cellFromConfig, fixturesOfKind, paramGrads, weightedSum } from "./recurrent-helpers.js";

const CELL_CASES = fixturesOfKind("cell");

it("finds at least the README's 16 cell fixtures", () => expect(CELL_CASES.length).toBeGreaterThanOrEqual(16));

describe.each(CELL_CASES)("%s", (name) => {
  const fx = loadFixture(name);

  it("has PyTorch's parameter names and shapes", () => {
    const cell = cellFromConfig(fx.config, "float64");
    expect(cell.namedParameters().map(([n]) => n)).toEqual(fx.param_names);
    for (const [n, p] of cell.namedParameters()) expect([...p.shape]).toEqual(fx.params[n].shape);
  });

  it.each(["float64", "float32"] as const)("%s: h1, c1 and every gradient", (dtype: DType) => {
    const ref = dtype === "float64" ? fx : fx.float32;
    const grads = dtype === "float64" ? fx.grads : fx.float32.grads ?? fx.grads;
    const cell = cellFromConfig(fx.config, dtype);
    cell.loadStateDict(fx.params);
    const x = fromFixture(fx.input, dtype, true);
    const h0 = fx.h0 ? fromFixture(fx.h0, dtype, true) : null;
    const c0 = fx.c0 ? fromFixture(fx.c0, dtype, true) : null;
    let h1: Tensor;
    let c1: Tensor | null = null;
    if (cell instanceof LSTMCell) [h1, c1] = cell.forward(x, h0 && c0 ? [h0, c0] : null);
    else h1 = cell.forward(x, h0);
    expect(h1.dtype).toBe(dtype);
    expectClose(h1, ref.h1, dtype, "h1");
    if (c1) expectClose(c1, ref.c1, dtype, "c1");
    const pairs: [Tensor, Tensor][] = [[h1, fromFixture(fx.loss.R_h1, dtype)]];
    if (c1) pairs.push([c1, fromFixture(fx.loss.R_c1, dtype)]);
    weightedSum(pairs).backward();
    for (const [n, g] of paramGrads(cell)) expectClose(g, grads.params[n], dtype, `grad ${n}`);
    expectClose(x.grad, grads.input, dtype, "grad input");
    if (h0) expectClose(h0.grad, grads.h0, dtype, "grad h0");
    if (c0) expectClose(c0.grad, grads.c0, dtype, "grad c0");
  });
});
