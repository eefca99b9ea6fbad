/**
 * The differentiable tensor ops, as functions (`add(a, b)`) and as Tensor methods (`a.add(b)`).
 *
 * Importing this module (which `import ... from "seqlab"` does) installs the methods on
 * `Tensor.prototype`; the `declare module` block tells TypeScript they exist.
 */
import { Tensor } from "../tensor.js";
import { add, div, mul, sub, type Operand } from "./elementwise.js";
import { matmul } from "./matmul.js";
import { mean, sum, type Dims } from "./reduce.js";
import {
  cat, expand, indexSelect, narrow, permute, reshape, select, slice, squeeze, stack, transpose, unsqueeze,
} from "./shape.js";
import { logSoftmax, softmax } from "./softmax.js";
import { exp, log, neg, pow, relu, sigmoid, sqrt, tanh } from "./unary.js";

export { add, sub, mul, div, type Operand } from "./elementwise.js";
export { neg, pow, sqrt, exp, log, tanh, sigmoid, relu } from "./unary.js";
export { sum, mean, type Dims } from "./reduce.js";
export { matmul } from "./matmul.js";
export {
  reshape, unsqueeze, squeeze, permute, transpose, expand, narrow, slice, select, indexSelect, cat, stack,
} from "./shape.js";
export { softmax, logSoftmax } from "./softmax.js";
export { broadcastShapes } from "./layout.js";

declare module "../tensor.js" {
  interface Tensor {
    /** `add(this, other)`: this + other with broadcasting. */
    add(other: Operand): Tensor;
    /** `sub(this, other)`: this − other with broadcasting. */
    sub(other: Operand): Tensor;
    /** `mul(this, other)`: this ⊙ other with broadcasting. */
    mul(other: Operand): Tensor;
    /** `div(this, other)`: this / other with broadcasting. */
    div(other: Operand): Tensor;
    /** `neg(this)`: −this. */
    neg(): Tensor;
    /** `pow(this, p)`: this ** p for a number p. */
    pow(p: number): Tensor;
    /** `sqrt(this)`. */
    sqrt(): Tensor;
    /** `exp(this)`. */
    exp(): Tensor;
    /** `log(this)`: natural logarithm. */
    log(): Tensor;
    /** `tanh(this)`. */
    tanh(): Tensor;
    /** `sigmoid(this)`: 1 / (1 + e⁻ˣ), numerically stable. */
    sigmoid(): Tensor;
    /** `relu(this)`: max(x, 0). */
    relu(): Tensor;
    /** `sum(this, dim, keepdim)`: over all elements, or over `dim`. */
    sum(dim?: Dims, keepdim?: boolean): Tensor;
    /** `mean(this, dim, keepdim)`: over all elements, or over `dim`. */
    mean(dim?: Dims, keepdim?: boolean): Tensor;
    /** `matmul(this, other)`: `torch.matmul` semantics, batched with broadcasting. */
    matmul(other: Tensor): Tensor;
    /** `reshape(this, shape)`: one size may be -1. */
    reshape(shape: readonly number[]): Tensor;
    /** `unsqueeze(this, dim)`: insert a size-1 dim. */
    unsqueeze(dim: number): Tensor;
    /** `squeeze(this, dim)`: remove size-1 dims (all, or just `dim`). */
    squeeze(dim?: number): Tensor;
    /** `permute(this, dims)`: reorder the dims. */
    permute(dims: readonly number[]): Tensor;
    /** `transpose(this, dim0, dim1)`: swap two dims. */
    transpose(dim0: number, dim1: number): Tensor;
    /** The dims reversed (`x.T`): the transpose of a matrix. */
    readonly T: Tensor;
    /** `expand(this, shape)`: broadcast to a larger shape. */
    expand(shape: readonly number[]): Tensor;
    /** `narrow(this, dim, start, length)`: `length` entries from `start` along `dim`. */
    narrow(dim: number, start: number, length: number): Tensor;
    /** `slice(this, dim, start, end)`: like Python's `x[..., start:end]` along `dim`. */
    slice(dim: number, start?: number, end?: number): Tensor;
    /** `select(this, dim, index)`: the entry at `index` along `dim`, dim removed. */
    select(dim: number, index: number): Tensor;
    /** `indexSelect(this, dim, indices)`: the entries at `indices` along `dim`. */
    indexSelect(dim: number, indices: ArrayLike<number> | Tensor): Tensor;
    /** `softmax(this, dim)`. */
    softmax(dim: number): Tensor;
    /** `logSoftmax(this, dim)`. */
    logSoftmax(dim: number): Tensor;
  }
}

Tensor.prototype.add = function (this: Tensor, other: Operand) { return add(this, other); };
Tensor.prototype.sub = function (this: Tensor, other: Operand) { return sub(this, other); };
Tensor.prototype.mul = function (this: Tensor, other: Operand) { return mul(this, other); };
Tensor.prototype.div = function (this: Tensor, other: Operand) { return div(this, other); };
Tensor.prototype.neg = function (this: Tensor) { return neg(this); };
Tensor.prototype.pow = function (this: Tensor, p: number) { return pow(this, p); };
Tensor.prototype.sqrt = function (this: Tensor) { return sqrt(this); };
Tensor.prototype.exp = function (this: Tensor) { return exp(this); };
Tensor.prototype.log = function (this: Tensor) { return log(this); };
Tensor.prototype.tanh = function (this: Tensor) { return tanh(this); };
Tensor.prototype.sigmoid = function (this: Tensor) { return sigmoid(this); };
Tensor.prototype.relu = function (this: Tensor) { return relu(this); };
Tensor.prototype.sum = function (this: Tensor, dim?: Dims, keepdim?: boolean) { return sum(this, dim, keepdim); };
Tensor.prototype.mean = function (this: Tensor, dim?: Dims, keepdim?: boolean) { return mean(this, dim, keepdim); };
Tensor.prototype.matmul = function (this: Tensor, other: Tensor) { return matmul(this, other); };
Tensor.prototype.reshape = function (this: Tensor, shape: readonly number[]) { return reshape(this, shape); };
Tensor.prototype.unsqueeze = function (this: Tensor, dim: number) { return unsqueeze(this, dim); };
Tensor.prototype.squeeze = function (this: Tensor, dim?: number) { return squeeze(this, dim); };
Tensor.prototype.permute = function (this: Tensor, dims: readonly number[]) { return permute(this, dims); };
Tensor.prototype.transpose = function (this: Tensor, dim0: number, dim1: number) { return transpose(this, dim0, dim1); };
Tensor.prototype.expand = function (this: Tensor, shape: readonly number[]) { return expand(this, shape); };
Tensor.prototype.narrow = function (this: Tensor, dim: number, start: number, length: number) { return narrow(this, dim, start, length); };
Tensor.prototype.slice = function (this: Tensor, dim: number, start?: number, end?: number) { return slice(this, dim, start, end); };
Tensor.prototype.select = function (this: Tensor, dim: number, index: number) { return select(this, dim, index); };
Tensor.prototype.indexSelect = function (this: Tensor, dim: number, indices: ArrayLike<number> | Tensor) { return indexSelect(this, dim, indices); };
Tensor.prototype.softmax = function (this: Tensor, dim: number) { return softmax(this, dim); };
Tensor.prototype.logSoftmax = function (this: Tensor, dim: number) { return logSoftmax(this, dim); };
// PyTorch's `.T` reverses all dims (for a matrix, its transpose).
Object.defineProperty(Tensor.prototype, "T", {
  get(this: Tensor) { return permute(this, this.shape.map((_, d) => this.ndim - 1 - d)); },
  configurable: true,
});
