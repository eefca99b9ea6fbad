/**
 * Guards against training on NaN or ±Infinity: one bad value silently poisons every
 * parameter it touches, so seqlab stops (or skips) at the first one and says where it was.
 */
import { NonFiniteError, fmtShape } from "../errors.js";
import type { Tensor, TypedData } from "../tensor.js";

/** The first NaN/±Infinity in `data` as `{ index, value }`, or null when all are finite. */
export function findNonFinite(data: TypedData): { index: number; value: number } | null {
  for (let k = 0; k < data.length; k++) {
    if (!Number.isFinite(data[k]!)) return { index: k, value: data[k]! };
  }
  return null;
}

/**
 * Throws a NonFiniteError if `t` holds NaN or ±Infinity, naming `what` (e.g. "loss").
 * Returns `t`, so it can wrap an expression: `assertFinite(crossEntropy(y, t), "loss")`.
 */
export function assertFinite(t: Tensor, what: string): Tensor {
  const bad = findNonFinite(t.data);
  if (bad) {
    const where = t.size === 1 ? "" : ` at flat index ${bad.index} of shape ${fmtShape(t.shape)}`;
    throw new NonFiniteError(`${what} is ${bad.value}${where}; stopping before it reaches the parameters`);
  }
  return t;
}
