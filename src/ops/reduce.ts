/**
 * Reductions: sum and mean over all elements or over some dims.
 *
 * Summing over dims is broadcasting run backwards: the kept shape (reduced dims set to 1)
 * broadcasts to the input's shape, so forward scatter-adds each input element into its slot,
 * and backward reads each slot's gradient back out to every element that fed it.
 */
import { allocate, recordOp, sizeOf, Tensor } from "../tensor.js";
import { broadcastOffsets, normalizeDims } from "./layout.js";

/** `dim` of sum and mean: one dim, a list of dims, or (undefined) all of them. Negative dims count from the end. */
export type Dims = number | readonly number[];

function reduceOp(name: string, a: Tensor, dim: Dims | undefined, keepdim: boolean, mean: boolean): Tensor {
  // PyTorch reads an empty dim list as "all dims"; so does seqlab.
  const dims = normalizeDims(typeof dim === "object" && dim.length === 0 ? undefined : dim, a.shape, name);
  const kept = a.shape.map((n, d) => (dims.includes(d) ? 1 : n));
  const shape = keepdim ? kept : a.shape.filter((_, d) => !dims.includes(d));
  const count = sizeOf(a.shape) / Math.max(sizeOf(kept), 1);
  const scale = mean ? 1 / count : 1;
  const slot = broadcastOffsets(kept, a.shape);
  const x = a.data;
  const out = new Tensor(allocate(a.dtype, sizeOf(kept)), shape);
  const s = out.data;
  for (let k = 0; k < x.length; k++) s[slot[k]!]! += x[k]!;
  if (mean) for (let k = 0; k < s.length; k++) s[k]! *= scale;

  recordOp(name, [a], [out], [], ([g]) => {
    const ds = g!;
    const dx = allocate(a.dtype, a.size);
    for (let k = 0; k < dx.length; k++) dx[k] = ds[slot[k]!]! * scale;
    return [dx];
  });
  return out;
}

/**
 * Σ of the elements (`torch.sum`): over all of them (a 0-d result) when `dim` is omitted,
 * else over `dim` (a number or a list; negative counts from the end). `keepdim` keeps the
 * reduced dims with size 1 so the result broadcasts against the input.
 */
export function sum(a: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reduceOp("sum", a, dim, keepdim, false);
}

/**
 * The arithmetic mean (`torch.mean`), over all elements or over `dim`, like `sum`. The mean
 * of zero elements is NaN, as in PyTorch.
 */
export function mean(a: Tensor, dim?: Dims, keepdim = false): Tensor {
  return reduceOp("mean", a, dim, keepdim, true);
}
