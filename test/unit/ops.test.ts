/**
 * Hand-checkable examples for each op family, one test per kind of bad input, and a check that
 * the ops compose into PyTorch's nn.RNNCell (the cell_rnn_* fixtures).
 */
import { describe, expect, it } from "vitest";
import {
  DTypeError, ShapeError, Tensor, add, broadcastShapes, cat, div, exp, expand, indexSelect, log, logSoftmax, matmul, mean,
  mul, narrow, noGrad, ones, permute, pow, relu, reshape, select, sigmoid, slice, softmax, sqrt, squeeze, stack, sub, sum,
  tanh, tensor, transpose, unsqueeze, zeros,
} from "../../src/index.js";
import { expectClose, fixtureNames, fromFixture, loadFixture } from "./pytorch-fixtures.js";

const f64 = { dtype: "float64" } as const;
const leaf = (v: number[] | number[][]): Tensor => tensor(v, { dtype: "float64", requiresGrad: true });
/** 0, 1, ..., n−1 in the given shape, so every element is recognisable by its flat index. */
const arange = (...shape: number[]): Tensor => {
  const n = shape.reduce((p, q) => p * q, 1);
  return tensor(Float64Array.from({ length: n }, (_, k) => k), { shape });
};

describe("elementwise arithmetic with broadcasting", () => {
  it("adds a row to every row of a matrix and a number to everything", () => {
    const a = tensor([[1, 2], [3, 4]]);
    expect(add(a, tensor([10, 20])).toArray()).toEqual([[11, 22], [13, 24]]);
    expect(sub(a, 1).toArray()).toEqual([[0, 1], [2, 3]]);
    expect(mul(a, tensor([[2], [3]])).toArray()).toEqual([[2, 4], [9, 12]]);
    expect(div(a, 2).toArray()).toEqual([[0.5, 1], [1.5, 2]]);
  });

  it("sums the gradient over the dims an operand was broadcast along", () => {
    const a = leaf([[1, 2, 3], [4, 5, 6]]);
    const b = leaf([10, 20, 30]);
    sum(mul(a, b)).backward();
    // d/db_j Σ_i a_ij b_j = Σ_i a_ij (column sums); d/da_ij = b_j.
    expect(b.grad!.toArray()).toEqual([5, 7, 9]);
    expect(a.grad!.toArray()).toEqual([[10, 20, 30], [10, 20, 30]]);
  });

  it("div gradients are 1/b and −a/b²", () => {
    const a = leaf([6]);
    const b = leaf([2]);
    div(a, b).backward();
    expect(a.grad!.item()).toBe(0.5);
    expect(b.grad!.item()).toBe(-1.5);
  });

  it("broadcastShapes follows NumPy's rule", () => {
    expect(broadcastShapes([4, 1, 3], [2, 1])).toEqual([4, 2, 3]);
    expect(broadcastShapes([], [2, 3])).toEqual([2, 3]);
    expect(broadcastShapes([0, 1], [1, 5])).toEqual([0, 5]);
  });

  it("keeps float32 inputs float32", () => {
    const out = add(ones([2]), 0.1);
    expect(out.dtype).toBe("float32");
    expect(out.data[0]).toBe(Math.fround(1.1));
  });
});

describe("unary functions", () => {
  it("give the textbook values and derivatives", () => {
    expect(exp(zeros([1])).item()).toBe(1);
    expect(log(ones([1])).item()).toBe(0);
    expect(tanh(zeros([1])).item()).toBe(0);
    expect(sigmoid(zeros([1])).item()).toBe(0.5);
    expect(sqrt(tensor([4, 9])).toArray()).toEqual([2, 3]);
    expect(relu(tensor([-1, 0, 2])).toArray()).toEqual([0, 0, 2]);

    const x = leaf([2, 3]);
    sum(pow(x, 2)).backward();
    expect(x.grad!.toArray()).toEqual([4, 6]);
    const y = leaf([-1, 0, 2]);
    sum(relu(y)).backward();
    expect(y.grad!.toArray()).toEqual([0, 0, 1]);
    const z = leaf([0]);
    sum(sigmoid(z)).backward();
    expect(z.grad!.item()).toBe(0.25);
  });

  it("sigmoid is stable for large |x| and its gradient stays finite", () => {
    const x = leaf([-1000, 1000]);
    const y = sigmoid(x);
    expect(y.toArray()).toEqual([0, 1]);
    sum(y).backward();
    expect(x.grad!.toArray()).toEqual([0, 0]);
  });

  it("pow by 0 has zero gradient even at 0, as in PyTorch", () => {
    const x = leaf([0, 2]);
    sum(pow(x, 0)).backward();
    expect(x.grad!.toArray()).toEqual([0, 0]);
  });
});

describe("sum and mean", () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);

  it("reduce over everything or over dims, with keepdim and negative dims", () => {
    const all = sum(a);
    expect(all.shape).toEqual([]);
    expect(all.item()).toBe(21);
    expect(sum(a, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(a, 1, true).toArray()).toEqual([[6], [15]]);
    expect(sum(a, [0, 1]).item()).toBe(21);
    expect(sum(a, []).item()).toBe(21);
    expect(mean(a, -1).toArray()).toEqual([2, 5]);
    expect(mean(a).item()).toBe(3.5);
  });

  it("mean spreads the gradient evenly", () => {
    const x = leaf([[1, 2, 3], [4, 5, 6]]);
    mean(x).backward();
    expect(x.grad!.toList()).toEqual(new Array(6).fill(1 / 6));
  });
});

describe("matmul", () => {
  it("multiplies 2×2 matrices and takes dot products of vectors", () => {
    const A = leaf([[1, 2], [3, 4]]);
    const B = leaf([[5, 6], [7, 8]]);
    const C = matmul(A, B);
    expect(C.toArray()).toEqual([[19, 22], [43, 50]]);
    sum(C).backward();
    // dA = 1·Bᵀ: every row holds B's row sums; dB = Aᵀ·1: every column holds A's column sums.
    expect(A.grad!.toArray()).toEqual([[11, 15], [11, 15]]);
    expect(B.grad!.toArray()).toEqual([[4, 4], [6, 6]]);

    const dot = matmul(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(dot.shape).toEqual([]);
    expect(dot.item()).toBe(32);
  });

  it("follows torch.matmul's result shapes", () => {
    const shapeOf = (p: number[], q: number[]): readonly number[] => matmul(zeros(p), zeros(q)).shape;
    expect(shapeOf([3], [3, 4])).toEqual([4]);
    expect(shapeOf([2, 3], [3])).toEqual([2]);
    expect(shapeOf([5, 2, 3], [3, 4])).toEqual([5, 2, 4]);
    expect(shapeOf([5, 1, 2, 3], [6, 3, 4])).toEqual([5, 6, 2, 4]);
    expect(shapeOf([3], [5, 3, 4])).toEqual([5, 4]);
  });

  it("a batched product applies one matrix product per batch entry", () => {
    const A = arange(2, 2, 2);
    // Right-multiplying by [[0, 1], [1, 0]] swaps the columns of every matrix in the batch.
    const swap = tensor([[0, 1], [1, 0]], f64);
    expect(matmul(A, swap).toArray()).toEqual([[[1, 0], [3, 2]], [[5, 4], [7, 6]]]);
    const B = add(arange(2, 2, 2), 1);
    const C = matmul(A, B);
    for (let k = 0; k < 2; k++) expect(select(C, 0, k).toArray()).toEqual(matmul(select(A, 0, k), select(B, 0, k)).toArray());
  });
});

describe("shape ops", () => {
  const x = arange(2, 3);

  it("reshape, unsqueeze and squeeze keep the values in order", () => {
    expect(reshape(x, [3, -1]).toArray()).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(unsqueeze(x, 1).shape).toEqual([2, 1, 3]);
    expect(unsqueeze(x, -1).shape).toEqual([2, 3, 1]);
    expect(squeeze(zeros([1, 2, 1])).shape).toEqual([2]);
    expect(squeeze(zeros([1, 2, 1]), 0).shape).toEqual([2, 1]);
    expect(squeeze(zeros([1, 2, 1]), 1).shape).toEqual([1, 2, 1]);
  });

  it("reshape copies: writing the result leaves the input alone", () => {
    const y = reshape(x, [6]);
    y.data[0] = 99;
    expect(x.data[0]).toBe(0);
  });

  it("transpose, permute and .T move elements to the swapped index", () => {
    expect(transpose(x, 0, 1).toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    expect(x.T.toArray()).toEqual([[0, 3], [1, 4], [2, 5]]);
    const y = arange(2, 3, 4);
    const p = permute(y, [2, 0, 1]);
    expect(p.shape).toEqual([4, 2, 3]);
    // p[k, i, j] = y[i, j, k] = 12 i + 4 j + k; check p[3, 1, 2].
    expect(p.data[3 * 6 + 1 * 3 + 2]).toBe(12 * 1 + 4 * 2 + 3);
  });

  it("expand repeats size-1 dims", () => {
    expect(expand(tensor([[1], [2]]), [3, 2, -1, 3]).shape).toEqual([3, 2, 2, 3]);
    expect(expand(tensor([[1], [2]]), [2, 3]).toArray()).toEqual([[1, 1, 1], [2, 2, 2]]);
  });

  it("cat and stack join along a dim", () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(cat([a, b], 0).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(cat([b, b], -1).toArray()).toEqual([[3, 4, 3, 4], [5, 6, 5, 6]]);
    expect(stack([a, a], 0).shape).toEqual([2, 1, 2]);
    expect(stack([tensor([1, 2]), tensor([3, 4])], 1).toArray()).toEqual([[1, 3], [2, 4]]);
  });

  it("cat routes each part of the gradient back to its input", () => {
    const a = leaf([1]);
    const b = leaf([2, 3]);
    sum(mul(cat([a, b], 0), tensor([10, 20, 30], f64))).backward();
    expect(a.grad!.toArray()).toEqual([10]);
    expect(b.grad!.toArray()).toEqual([20, 30]);
  });

  it("narrow, slice, select and indexSelect pick entries along a dim", () => {
    expect(narrow(x, 1, 1, 2).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(narrow(x, 1, -2, 2).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(slice(x, 1, 1).toArray()).toEqual([[1, 2], [4, 5]]);
    expect(slice(x, -1, 0, -1).toArray()).toEqual([[0, 1], [3, 4]]);
    expect(slice(x, 1, -100, 100).toArray()).toEqual(x.toArray());
    expect(slice(x, 1, 2, 1).shape).toEqual([2, 0]);
    expect(select(x, 0, 1).toArray()).toEqual([3, 4, 5]);
    expect(select(x, 1, -1).toArray()).toEqual([2, 5]);
    expect(indexSelect(x, 1, [2, 0, 2]).toArray()).toEqual([[2, 0, 2], [5, 3, 5]]);
    expect(indexSelect(x, 0, tensor([1])).toArray()).toEqual([[3, 4, 5]]);
  });

  it("indexSelect accumulates the gradient of repeated indices", () => {
    const w = leaf([[1, 2], [3, 4], [5, 6]]);
    sum(indexSelect(w, 0, [2, 0, 2])).backward();
    expect(w.grad!.toArray()).toEqual([[1, 1], [0, 0], [2, 2]]);
  });
});

describe("softmax and logSoftmax", () => {
  it("give [1/4, 3/4] for logits [0, ln 3], also when shifted by 1000", () => {
    for (const shift of [0, 1000, -1000]) {
      const p = softmax(tensor([[shift, shift + Math.log(3)]], f64), -1);
      expectClose(p, { shape: [1, 2], data: [0.25, 0.75] }, "float64", `softmax shift ${shift}`);
      const lp = logSoftmax(tensor([[shift, shift + Math.log(3)]], f64), 1);
      expectClose(lp, { shape: [1, 2], data: [Math.log(0.25), Math.log(0.75)] }, "float64", `logSoftmax shift ${shift}`);
    }
  });

  it("logSoftmax stays finite where softmax underflows", () => {
    const lp = logSoftmax(tensor([-1000, 0], f64), 0);
    expect(lp.toArray()).toEqual([-1000, 0]);
  });

  it("the gradient of Σ softmax is zero (the outputs always sum to 1)", () => {
    const x = leaf([[1, 2, 3]]);
    sum(softmax(x, 1)).backward();
    for (const g of x.grad!.toList()) expect(Math.abs(g)).toBeLessThan(1e-15);
  });
});

describe("Tensor methods", () => {
  it("are installed by importing seqlab and match the functions", () => {
    const a = tensor([[1, 2], [3, 4]], f64);
    const b = tensor([0.5, 2], f64);
    expect(a.add(b).toArray()).toEqual(add(a, b).toArray());
    expect(a.add(1).mul(b).div(2).neg().toArray()).toEqual([[-0.5, -3], [-1, -5]]);
    expect(a.sub(b).toArray()).toEqual(sub(a, b).toArray());
    expect(a.matmul(b).toArray()).toEqual([4.5, 9.5]);
    expect(a.sum(1).toArray()).toEqual([3, 7]);
    expect(a.mean().item()).toBe(2.5);
    expect(a.reshape([-1]).toArray()).toEqual([1, 2, 3, 4]);
    expect(a.softmax(-1).toArray()).toEqual(softmax(a, -1).toArray());
    expect(a.logSoftmax(0).toArray()).toEqual(logSoftmax(a, 0).toArray());
    expect(a.pow(2).sqrt().toArray()).toEqual(a.toArray());
    expect(a.exp().toArray()).toEqual(exp(a).toArray());
    expect(a.log().toArray()).toEqual(log(a).toArray());
    expect(a.tanh().toArray()).toEqual(tanh(a).toArray());
    expect(a.sigmoid().relu().toArray()).toEqual(sigmoid(a).toArray());
    expect(a.transpose(0, 1).toArray()).toEqual(a.T.toArray());
    expect(a.permute([1, 0]).unsqueeze(0).squeeze(0).toArray()).toEqual(a.T.toArray());
    expect(a.expand([2, 2, 2]).shape).toEqual([2, 2, 2]);
    expect(a.narrow(0, 1, 1).toArray()).toEqual([[3, 4]]);
    expect(a.slice(1, 1).toArray()).toEqual([[2], [4]]);
    expect(a.select(1, 0).toArray()).toEqual([1, 3]);
    expect(a.indexSelect(0, [1, 1]).toArray()).toEqual([[3, 4], [3, 4]]);
  });

  it("record nothing inside noGrad", () => {
    const a = leaf([1, 2]);
    const y = noGrad(() => a.mul(2).sum());
    expect(y.requiresGrad).toBe(false);
    expect(y.gradFn).toBeNull();
    expect(a.mul(2).sum().gradFn?.name).toBe("sum");
  });
});

describe("bad input names what was expected and what arrived", () => {
  it("add with shapes that cannot broadcast names both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow(ShapeError);
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow("add: shapes (2, 3) and (4,) cannot broadcast");
    expect(() => mul(zeros([2, 3]), zeros([3, 2]))).toThrow("mul: shapes (2, 3) and (3, 2) cannot broadcast");
  });

  it("matmul with mismatched inner or batch dims names both shapes", () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(ShapeError);
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow(/\(2, 3\) and \(4, 5\).*3.*4/);
    expect(() => matmul(zeros([2, 3, 4]), zeros([3, 4, 5]))).toThrow(/batch dims \(2,\) and \(3,\).*\(2, 3, 4\) and \(3, 4, 5\)/);
    expect(() => matmul(zeros([]), zeros([3]))).toThrow(/\(\) and \(3,\)/);
  });

  it("reshape to an impossible size names the sizes", () => {
    expect(() => reshape(zeros([2, 3]), [4, 2])).toThrow(ShapeError);
    expect(() => reshape(zeros([2, 3]), [4, 2])).toThrow(/\(2, 3\) \(6 elements\) into \(4, 2\) \(8 elements\)/);
    expect(() => reshape(zeros([2, 3]), [4, -1])).toThrow(/\(6 elements\) into \(4, -1\): 6 is not a multiple of 4/);
    expect(() => reshape(zeros([2, 3]), [-1, -1])).toThrow(/only one dim can be -1/);
    expect(() => reshape(zeros([2, 3]), [-2, -3])).toThrow(/invalid size -2/);
  });

  it("out-of-range dims and indices name the dim, the range and the shape", () => {
    expect(() => sum(zeros([2, 3]), 2)).toThrow(ShapeError);
    expect(() => sum(zeros([2, 3]), 2)).toThrow("sum: dim 2 is out of range for shape (2, 3) (expected -2..1)");
    expect(() => mean(zeros([2, 3]), -3)).toThrow(/mean: dim -3 .*\(2, 3\)/);
    expect(() => sum(zeros([2, 3]), [1, -1])).toThrow(/same dim twice/);
    expect(() => softmax(zeros([2, 3]), 2)).toThrow(/softmax: dim 2/);
    expect(() => logSoftmax(zeros([]), 0)).toThrow(/logSoftmax: dim 0 .*\(\)/);
    expect(() => transpose(zeros([2, 3]), 0, 5)).toThrow(/transpose: dim 5/);
    expect(() => unsqueeze(zeros([2, 3]), 3)).toThrow(/unsqueeze: dim 3 .*expected -3..2/);
    expect(() => permute(zeros([2, 3]), [0, 0])).toThrow(/permute: dims \[0, 0\] are not a permutation .*\(2, 3\)/);
    expect(() => cat([zeros([2, 3])], 2)).toThrow(/cat: dim 2/);
    expect(() => stack([zeros([2, 3])], 3)).toThrow(/stack: dim 3/);
    expect(() => select(zeros([2, 3]), 1, 3)).toThrow(/select: index 3 .*size 3 .*\(2, 3\)/);
    expect(() => narrow(zeros([2, 3]), 1, 2, 2)).toThrow(/narrow: start 2 and length 2 .*size 3/);
    expect(() => indexSelect(zeros([2, 3]), 0, [0, 2])).toThrow(/indexSelect: index 2 .*size 2/);
    expect(() => expand(zeros([2, 3]), [4, 3])).toThrow("expand: cannot expand shape (2, 3) to (4, 3)");
  });

  it("cat and stack name the mismatching tensor and both shapes", () => {
    expect(() => cat([zeros([2, 3]), zeros([2, 4])], 0)).toThrow(/tensor 1 has shape \(2, 4\) but tensor 0 has \(2, 3\)/);
    expect(() => stack([zeros([2, 3]), zeros([3, 2])])).toThrow(/tensor 1 has shape \(3, 2\) but tensor 0 has \(2, 3\)/);
    expect(() => cat([], 0)).toThrow(/non-empty/);
  });

  it("mixing float32 and float64 throws DTypeError naming both dtypes (no promotion)", () => {
    const a = zeros([2], { dtype: "float32" });
    const b = zeros([2], { dtype: "float64" });
    for (const op of [add, sub, mul, div]) {
      expect(() => op(a, b)).toThrow(DTypeError);
      expect(() => op(a, b)).toThrow(/float32 and float64/);
    }
    expect(() => matmul(a, b)).toThrow(DTypeError);
    expect(() => cat([a, b], 0)).toThrow(DTypeError);
    expect(() => stack([b, a], 0)).toThrow(/float64 and float32/);
  });
});

describe("ops compose into PyTorch's nn.RNNCell (cell_rnn_* fixtures)", () => {
  const names = fixtureNames(/^cell_rnn_/);

  it("there are fixtures to compare with", () => {
    expect(names.length).toBeGreaterThan(0);
  });

  for (const name of names) {
    for (const dtype of ["float64", "float32"] as const) {
      it(`${name} (${dtype})`, () => {
        const fx = loadFixture(name);
        const ref = dtype === "float64" ? fx : fx.float32;
        const p = fx.params;
        const x = fromFixture(fx.input, dtype, true);
        const W_ih = fromFixture(p.weight_ih, dtype, true);
        const W_hh = fromFixture(p.weight_hh, dtype, true);
        const b_ih = p.bias_ih ? fromFixture(p.bias_ih, dtype, true) : null;
        const b_hh = p.bias_hh ? fromFixture(p.bias_hh, dtype, true) : null;
        const h0 = fx.h0 ? fromFixture(fx.h0, dtype, true) : zeros([fx.batch, fx.config.hidden_size], { dtype });

        let pre = x.matmul(W_ih.T).add(h0.matmul(W_hh.T));
        if (b_ih && b_hh) pre = pre.add(b_ih).add(b_hh);
        const h1 = fx.config.nonlinearity === "tanh" ? pre.tanh() : pre.relu();
        const loss = h1.mul(fromFixture(fx.loss.R_h1, dtype)).sum();
        loss.backward();

        expectClose(h1, ref.h1, dtype, "h1");
        expectClose(loss, { shape: [], data: [ref.loss.value ?? ref.loss] }, dtype, "loss");
        const g = ref.grads;
        expectClose(W_ih.grad, g.params.weight_ih, dtype, "dW_ih");
        expectClose(W_hh.grad, g.params.weight_hh, dtype, "dW_hh");
        if (b_ih && b_hh) {
          expectClose(b_ih.grad, g.params.bias_ih, dtype, "db_ih");
          expectClose(b_hh.grad, g.params.bias_hh, dtype, "db_hh");
        }
        expectClose(x.grad, g.input, dtype, "dx");
        if (fx.h0) expectClose(h0.grad, g.h0, dtype, "dh0");
      });
    }
  }
});
