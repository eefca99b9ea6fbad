/**
 * Ops that move values without changing them: reshape, permute, expand, narrow, select,
 * indexSelect, cat, stack, squeeze/unsqueeze.
 *
 * Each result is a fresh contiguous tensor (seqlab has no views; where PyTorch returns a view
 * that shares storage, seqlab copies). Almost all of them are one `gather`: list which input
 * element every output element reads; the gradient scatter-adds back through that list.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { allocate, assertSameDType, recordOp, sizeOf, Tensor } from "../tensor.js";
import { broadcastOffsets, contiguousStrides, normalizeDim, splitAt, tryBroadcastShapes, viewOffsets } from "./layout.js";

/** out[k] = a[offsets[k]] with shape `shape`; backward: da[offsets[k]] += dout[k]. */
function gather(name: string, a: Tensor, shape: readonly number[], offsets: Int32Array): Tensor {
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, offsets.length), shape);
  const y = out.data;
  for (let k = 0; k < y.length; k++) y[k] = x[offsets[k]!]!;

  recordOp(name, [a], [out], [], ([g]) => {
    const dy = g!;
    const dx = allocate(a.dtype, a.size);
    for (let k = 0; k < dy.length; k++) dx[offsets[k]!]! += dy[k]!;
    return [dx];
  });
  return out;
}

/** Resolves one -1 in a requested shape and checks that the sizes agree. */
function resolveShape(a: Tensor, requested: readonly number[]): number[] {
  const want = (): string => `${fmtShape(a.shape)} (${a.size} elements) into ${fmtShape(requested)}`;
  const free = requested.filter((d) => d === -1).length;
  if (free > 1) throw new ShapeError(`reshape: only one dim can be -1, got ${fmtShape(requested)}`);
  for (const d of requested) {
    if (!Number.isInteger(d) || d < -1) throw new ShapeError(`reshape: invalid size ${d} in ${fmtShape(requested)}`);
  }
  const known = sizeOf(requested.filter((d) => d !== -1));
  if (free === 1) {
    if (known === 0 || a.size % known !== 0) {
      throw new ShapeError(`reshape: cannot reshape ${want()}: ${a.size} is not a multiple of ${known}`);
    }
    return requested.map((d) => (d === -1 ? a.size / known : d));
  }
  if (known !== a.size) throw new ShapeError(`reshape: cannot reshape ${want()} (${known} elements)`);
  return [...requested];
}

/**
 * The same values in a new shape (`torch.reshape`); one size may be -1 and is then inferred.
 * Always copies (PyTorch may return a view).
 */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  const out = new Tensor(a.data.slice(), resolveShape(a, shape));
  recordOp("reshape", [a], [out], [], ([g]) => [g!.slice()]);
  return out;
}

/** Inserts a dim of size 1 at `dim` (`torch.unsqueeze`); `dim` may be -1 for "after the last". */
export function unsqueeze(a: Tensor, dim: number): Tensor {
  const d = normalizeDim(dim, a.ndim + 1, "unsqueeze", a.shape);
  return reshape(a, [...a.shape.slice(0, d), 1, ...a.shape.slice(d)]);
}

/**
 * Removes dims of size 1 (`torch.squeeze`): all of them, or only `dim`. As in PyTorch,
 * squeezing a dim whose size is not 1 leaves the shape unchanged.
 */
export function squeeze(a: Tensor, dim?: number): Tensor {
  const d = dim === undefined ? undefined : normalizeDim(dim, a.ndim, "squeeze", a.shape);
  return reshape(a, a.shape.filter((n, k) => n !== 1 || (d !== undefined && k !== d)));
}

/** Reorders the dims: result dim k is input dim `dims[k]` (`torch.permute`). */
export function permute(a: Tensor, dims: readonly number[]): Tensor {
  const order = dims.map((d) => normalizeDim(d, a.ndim, "permute", a.shape));
  if (order.length !== a.ndim || new Set(order).size !== a.ndim) {
    throw new ShapeError(`permute: dims [${dims.join(", ")}] are not a permutation of the ${a.ndim} dims of shape ${fmtShape(a.shape)}`);
  }
  const strides = contiguousStrides(a.shape);
  const shape = order.map((d) => a.shape[d]!);
  return gather("permute", a, shape, viewOffsets(shape, 0, order.map((d) => strides[d]!)));
}

/** Swaps two dims (`torch.transpose`). */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  const d0 = normalizeDim(dim0, a.ndim, "transpose", a.shape);
  const d1 = normalizeDim(dim1, a.ndim, "transpose", a.shape);
  const order = a.shape.map((_, k) => (k === d0 ? d1 : k === d1 ? d0 : k));
  return permute(a, order);
}

/**
 * Broadcasts to a larger `shape` (`torch.Tensor.expand`): size-1 dims repeat, new dims may be
 * added in front, and -1 keeps a size. Copies the repeated values (PyTorch returns a view).
 */
export function expand(a: Tensor, shape: readonly number[]): Tensor {
  const lead = shape.length - a.ndim;
  const target = shape.map((n, d) => (n === -1 && d >= lead ? a.shape[d - lead]! : n));
  const reached = lead >= 0 ? tryBroadcastShapes(a.shape, target) : null;
  if (!reached || reached.some((n, d) => n !== target[d])) {
    throw new ShapeError(`expand: cannot expand shape ${fmtShape(a.shape)} to ${fmtShape(shape)}`);
  }
  return gather("expand", a, target, broadcastOffsets(a.shape, target));
}

/** The block `start ≤ index < start + length` along an already normalised dim `d`. */
function narrowAt(name: string, a: Tensor, d: number, start: number, length: number): Tensor {
  const shape = a.shape.map((n, k) => (k === d ? length : n));
  const strides = contiguousStrides(a.shape);
  return gather(name, a, shape, viewOffsets(shape, start * strides[d]!, strides));
}

/**
 * `length` consecutive entries along `dim` from `start` (`torch.narrow`). A negative `start`
 * counts from the end; the block must fit inside the dim.
 */
export function narrow(a: Tensor, dim: number, start: number, length: number): Tensor {
  const d = normalizeDim(dim, a.ndim, "narrow", a.shape);
  const n = a.shape[d]!;
  const from = start < 0 ? start + n : start;
  if (!Number.isInteger(from) || !Number.isInteger(length) || from < 0 || length < 0 || from + length > n) {
    throw new ShapeError(`narrow: start ${start} and length ${length} do not fit in dim ${dim} of size ${n} (shape ${fmtShape(a.shape)})`);
  }
  return narrowAt("narrow", a, d, from, length);
}

/**
 * Entries `start ≤ index < end` along `dim`, like Python's `x[..., start:end]` (step 1).
 * As in Python, negative bounds count from the end and out-of-range bounds are clamped, so
 * this never throws for bounds (unlike `narrow`). `end` defaults to the size of the dim.
 */
export function slice(a: Tensor, dim: number, start = 0, end?: number): Tensor {
  const d = normalizeDim(dim, a.ndim, "slice", a.shape);
  const n = a.shape[d]!;
  const clamp = (i: number): number => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
  const from = clamp(start);
  const to = clamp(end ?? n);
  return narrowAt("slice", a, d, from, Math.max(to - from, 0));
}

/** The slice at `index` along `dim`, with that dim removed (`torch.select`, `x[:, index]`). */
export function select(a: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim(dim, a.ndim, "select", a.shape);
  const n = a.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    throw new ShapeError(`select: index ${index} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(a.shape)})`);
  }
  const strides = contiguousStrides(a.shape);
  const shape = a.shape.filter((_, k) => k !== d);
  const at = (index < 0 ? index + n : index) * strides[d]!;
  return gather("select", a, shape, viewOffsets(shape, at, strides.filter((_, k) => k !== d)));
}

/**
 * The entries at `indices` along `dim`, in that order and possibly repeated
 * (`torch.index_select`). seqlab has no integer tensors, so `indices` is a plain array (or a
 * tensor holding whole numbers). Repeated indices accumulate their gradients.
 */
export function indexSelect(a: Tensor, dim: number, indices: ArrayLike<number> | Tensor): Tensor {
  const d = normalizeDim(dim, a.ndim, "indexSelect", a.shape);
  const list = indices instanceof Tensor ? indices.data : indices;
  const { outer, n, inner } = splitAt(a.shape, d);
  for (let j = 0; j < list.length; j++) {
    const i = list[j]!;
    if (!Number.isInteger(i) || i < 0 || i >= n) {
      throw new ShapeError(`indexSelect: index ${i} is out of range for dim ${dim} of size ${n} (shape ${fmtShape(a.shape)})`);
    }
  }
  const m = list.length;
  const offsets = new Int32Array(outer * m * inner);
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < inner; i++) offsets[(o * m + j) * inner + i] = (o * n + list[j]!) * inner + i;
    }
  }
  return gather("indexSelect", a, a.shape.map((s, k) => (k === d ? m : s)), offsets);
}

/**
 * Joins tensors along an existing `dim` (`torch.cat`). All must have the same dtype and the
 * same shape except along `dim`.
 */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError("cat: expected a non-empty list of tensors");
  const d = normalizeDim(dim, first.ndim, "cat", first.shape);
  tensors.forEach((t, k) => {
    assertSameDType(first, t, `cat: tensor ${k}`);
    if (t.ndim !== first.ndim || t.shape.some((n, j) => j !== d && n !== first.shape[j])) {
      throw new ShapeError(`cat: tensor ${k} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; they must match except in dim ${dim}`);
    }
  });
  const shape = first.shape.map((n, j) => (j === d ? tensors.reduce((s, t) => s + t.shape[d]!, 0) : n));
  const strides = contiguousStrides(shape);
  // Where each element of each input lands in the result.
  let start = 0;
  const places = tensors.map((t) => {
    const p = viewOffsets(t.shape, start * strides[d]!, strides);
    start += t.shape[d]!;
    return p;
  });
  const out = new Tensor(allocate(first.dtype, sizeOf(shape)), shape);
  tensors.forEach((t, k) => {
    const p = places[k]!;
    for (let j = 0; j < p.length; j++) out.data[p[j]!] = t.data[j]!;
  });

  recordOp("cat", tensors, [out], [], ([g]) => {
    const dy = g!;
    return tensors.map((t, k) => {
      if (!t.requiresGrad) return null;
      const p = places[k]!;
      const dx = allocate(t.dtype, t.size);
      for (let j = 0; j < p.length; j++) dx[j] = dy[p[j]!]!;
      return dx;
    });
  });
  return out;
}

/** Joins same-shaped tensors along a new dim `dim` (`torch.stack`): unsqueeze each, then cat. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  const first = tensors[0];
  if (!first) throw new ShapeError("stack: expected a non-empty list of tensors");
  const d = normalizeDim(dim, first.ndim + 1, "stack", first.shape);
  tensors.forEach((t, k) => {
    if (t.ndim !== first.ndim || t.shape.some((n, j) => n !== first.shape[j])) {
      throw new ShapeError(`stack: tensor ${k} has shape ${fmtShape(t.shape)} but tensor 0 has ${fmtShape(first.shape)}; all must be equal`);
    }
  });
  return cat(tensors.map((t) => unsqueeze(t, d)), d);
}
