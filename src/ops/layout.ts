/**
 * Where each element lives in a row-major block of numbers: strides, dims, broadcasting.
 *
 * Most ops that move values around (broadcasting, permute, narrow, select, sum over dims) are
 * one idea: list, for every element of the result, the offset it reads in the source. Forward
 * gathers `out[k] = x[offsets[k]]`; backward scatter-adds `dx[offsets[k]] += dout[k]`.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { sizeOf } from "../tensor.js";

/** Row-major strides: how far to step in the flat data to move by one along each dim. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = step;
    step *= shape[d]!;
  }
  return strides;
}

/**
 * Turns a possibly negative `dim` into 0..ndim-1, as PyTorch does (-1 is the last dim).
 * `ndim` may exceed the tensor's rank for ops that insert a dim (unsqueeze, stack).
 */
export function normalizeDim(dim: number, ndim: number, where: string, shape: readonly number[]): number {
  if (!Number.isInteger(dim) || dim < -ndim || dim >= ndim) {
    const range = ndim === 0 ? "none (the tensor has no dims)" : `${-ndim}..${ndim - 1}`;
    throw new ShapeError(`${where}: dim ${dim} is out of range for shape ${fmtShape(shape)} (expected ${range})`);
  }
  return dim < 0 ? dim + ndim : dim;
}

/** The dims an op reduces over, sorted and without repeats; all dims when `dim` is undefined. */
export function normalizeDims(dim: number | readonly number[] | undefined, shape: readonly number[], where: string): number[] {
  if (dim === undefined) return shape.map((_, d) => d);
  const list = typeof dim === "number" ? [dim] : dim;
  const dims = list.map((d) => normalizeDim(d, shape.length, where, shape));
  if (new Set(dims).size !== dims.length) {
    throw new ShapeError(`${where}: dim [${list.join(", ")}] names the same dim twice (shape ${fmtShape(shape)})`);
  }
  return dims.sort((p, q) => p - q);
}

/**
 * Splits `shape` around `dim` into (outer, n, inner) so that element (o, j, i) sits at
 * (o * n + j) * inner + i. Ops along one dim (softmax, cat, indexSelect) loop over this.
 */
export function splitAt(shape: readonly number[], dim: number): { outer: number; n: number; inner: number } {
  return { outer: sizeOf(shape.slice(0, dim)), n: shape[dim]!, inner: sizeOf(shape.slice(dim + 1)) };
}

/** For every element of `shape` in row-major order, its offset `offset + Σ index_d · strides_d`. */
export function viewOffsets(shape: readonly number[], offset: number, strides: readonly number[]): Int32Array {
  const n = sizeOf(shape);
  const out = new Int32Array(n);
  const index = new Array<number>(shape.length).fill(0);
  let at = offset;
  for (let k = 0; k < n; k++) {
    out[k] = at;
    // Odometer: bump the last dim, carrying into earlier dims when one wraps around.
    for (let d = shape.length - 1; d >= 0; d--) {
      index[d]!++;
      at += strides[d]!;
      if (index[d]! < shape[d]!) break;
      at -= strides[d]! * shape[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** The broadcast shape of `a` and `b` (NumPy's rule), or null when they do not broadcast. */
export function tryBroadcastShapes(a: readonly number[], b: readonly number[]): number[] | null {
  const ndim = Math.max(a.length, b.length);
  const out = new Array<number>(ndim);
  for (let d = 0; d < ndim; d++) {
    // Align from the right; a missing leading dim counts as size 1.
    const p = a[a.length - ndim + d] ?? 1;
    const q = b[b.length - ndim + d] ?? 1;
    if (p !== q && p !== 1 && q !== 1) return null;
    out[d] = p === 1 ? q : p;
  }
  return out;
}

/**
 * The shape two operands broadcast to, like `torch.broadcast_shapes(a, b)`: align the shapes
 * from the right; each pair of sizes must be equal or one of them 1.
 */
export function broadcastShapes(a: readonly number[], b: readonly number[], where = "broadcastShapes"): number[] {
  const out = tryBroadcastShapes(a, b);
  if (!out) throw new ShapeError(`${where}: shapes ${fmtShape(a)} and ${fmtShape(b)} cannot broadcast`);
  return out;
}

/**
 * For every element of the broadcast shape `to`, the offset it reads in a contiguous tensor of
 * shape `from`. Broadcast dims get stride 0, so their one value is read again and again, and
 * the backward scatter-add sums the gradient over them.
 */
export function broadcastOffsets(from: readonly number[], to: readonly number[]): Int32Array {
  const own = contiguousStrides(from);
  const strides = to.map((_, d) => {
    const k = from.length - to.length + d;
    return k < 0 || from[k] === 1 ? 0 : own[k]!;
  });
  return viewOffsets(to, 0, strides);
}
