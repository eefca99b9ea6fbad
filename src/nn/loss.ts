/**
 * Loss functions, `torch.nn.functional.cross_entropy` / `mse_loss` and their class forms.
 * Cross-entropy is fused: a stable log-softmax, the pick of the target class and the
 * reduction in one op, whose gradient is the famous softmax − onehot.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { Tensor, allocate, assertSameDType, assertSameShape, recordOp, sizeOf, type TypedData } from "../tensor.js";
import { rowLogSumExp, scaledSoftmax } from "../kernels/softmax.js";
import { indexTensor, readIndices, type IndexInput } from "./embedding.js";
import { oneOf } from "../options.js";

/** How per-element losses are combined, as PyTorch's `reduction`. */
export type Reduction = "mean" | "sum" | "none";
const REDUCTIONS: readonly Reduction[] = ["mean", "sum", "none"];

export interface CrossEntropyOptions {
  /** "mean" (default) averages over the targets that are not ignored. */
  reduction?: Reduction;
  /** Targets equal to this id contribute no loss and no gradient (default −100, as PyTorch). */
  ignoreIndex?: number;
}

/**
 * Cross-entropy between raw `logits` and class-id `targets`, `F.cross_entropy`:
 * loss_i = logsumexp(logits_i) − logits_i[target_i].
 *
 * Shapes as PyTorch, classes on dim 1: logits (N, C) with targets (N,), or
 * (N, C, d1, ...) with targets (N, d1, ...), or unbatched (C,) with a scalar target.
 * For a language model's (B, T, C) logits, reshape to (B·T, C) first.
 * Not supported: class `weight` and `labelSmoothing`.
 *
 * @example
 * const loss = crossEntropy(logits, [2, 0, 1]); // logits (3, C)
 */
export function crossEntropy(logits: Tensor, targets: IndexInput, opts: CrossEntropyOptions = {}): Tensor {
  const reduction = oneOf("crossEntropy", "reduction", opts.reduction, REDUCTIONS, "mean");
  const ignoreIndex = opts.ignoreIndex ?? -100;
  if (logits.ndim === 0) throw new ShapeError("crossEntropy: logits must be (N, C), (N, C, d...) or (C,), got a scalar");
  const C = logits.ndim === 1 ? logits.shape[0]! : logits.shape[1]!;
  const N = logits.ndim === 1 ? 1 : logits.shape[0]!;
  const S = sizeOf(logits.shape.slice(2)); // positions d1·d2·… per sample in the (N, C, d...) form
  const expectedTargetShape = logits.ndim === 1 ? [] : [N, ...logits.shape.slice(2)];

  const targetTensor = indexTensor(targets);
  const targetShape = targetTensor.shape;
  if (targetShape.length !== expectedTargetShape.length || targetShape.some((d, k) => d !== expectedTargetShape[k])) {
    throw new ShapeError(
      `crossEntropy: logits ${fmtShape(logits.shape)} need targets of shape ${fmtShape(expectedTargetShape)}, got ${fmtShape(targetShape)}`,
    );
  }
  const ids = readIndices(
    targetTensor,
    "crossEntropy: target",
    (id) => (id >= 0 && id < C) || id === ignoreIndex,
    `class ids must be in [0, ${C - 1}] for logits ${fmtShape(logits.shape)} with C = ${C} classes (or ignoreIndex = ${ignoreIndex})`,
  );

  // Element (n, c, s) of the logits sits at n·C·S + c·S + s; target i = n·S + s.
  const x = logits.data;
  const count = N * S;
  const losses = new Float64Array(count);
  // log Σ_c e^{x_c} = rowMax + logSum, kept in two parts for the backward pass.
  const rowMax = new Float64Array(count);
  const logSum = new Float64Array(count);
  rowLogSumExp(count, C, S, x, rowMax, logSum);
  let used = 0;
  for (let i = 0; i < count; i++) {
    if (ids[i] === ignoreIndex) continue;
    used++;
    losses[i] = rowMax[i]! + logSum[i]! - x[Math.floor(i / S) * C * S + (i % S) + ids[i]! * S]!;
  }

  let out: Tensor;
  if (reduction === "none") {
    const y = allocate(logits.dtype, count);
    y.set(losses);
    out = new Tensor(y, targetShape);
  } else {
    const total = losses.reduce((a, b) => a + b, 0);
    // As PyTorch: the mean over zero used targets is NaN (0/0).
    out = new Tensor(allocate(logits.dtype, 1).fill(reduction === "sum" ? total : total / used), []);
  }

  recordOp(`crossEntropy(${reduction})`, [logits], [out], [logits], ([dy]) => {
    // dL/dlogits[n, c, s] = g_i · (softmax_c − [c = target_i]), zero for ignored targets.
    const dx = allocate(logits.dtype, logits.size);
    const g = new Float64Array(count);
    for (let i = 0; i < count; i++) {
      if (ids[i] !== ignoreIndex) g[i] = reduction === "none" ? dy![i]! : reduction === "sum" ? dy![0]! : dy![0]! / used;
    }
    scaledSoftmax(count, C, S, x, rowMax, logSum, g, dx);
    for (let i = 0; i < count; i++) {
      const base = Math.floor(i / S) * C * S + (i % S);
      // An ignored target's row stays exactly zero, whatever its logits hold (0 · NaN would not).
      if (ids[i] === ignoreIndex) for (let c = 0; c < C; c++) dx[base + c * S] = 0;
      else dx[base + ids[i]! * S]! -= g[i]!;
    }
    return [dx];
  });
  return out;
}

export interface MSELossOptions {
  reduction?: Reduction;
}

/**
 * Mean squared error, `F.mse_loss`: (input − target)², reduced by mean (default), sum or none.
 * Unlike PyTorch, the shapes must match exactly (PyTorch broadcasts with a warning).
 */
export function mseLoss(input: Tensor, target: Tensor, opts: MSELossOptions = {}): Tensor {
  const reduction = oneOf("mseLoss", "reduction", opts.reduction, REDUCTIONS, "mean");
  assertSameShape(input, target, "mseLoss(input, target)");
  assertSameDType(input, target, "mseLoss(input, target)");
  const n = input.size;
  const diff = new Float64Array(n);
  for (let k = 0; k < n; k++) diff[k] = input.data[k]! - target.data[k]!;

  let out: Tensor;
  if (reduction === "none") {
    const y = allocate(input.dtype, n);
    for (let k = 0; k < n; k++) y[k] = diff[k]! * diff[k]!;
    out = new Tensor(y, input.shape);
  } else {
    const total = diff.reduce((s, d) => s + d * d, 0);
    out = new Tensor(allocate(input.dtype, 1).fill(reduction === "sum" ? total : total / n), []);
  }

  recordOp(`mseLoss(${reduction})`, [input, target], [out], [], ([dy]) => {
    // dL/dinput = 2 (input − target) · g = −dL/dtarget
    const dIn = allocate(input.dtype, n);
    const dTarget: TypedData | null = target.requiresGrad ? allocate(target.dtype, n) : null;
    for (let k = 0; k < n; k++) {
      const g = reduction === "none" ? dy![k]! : reduction === "sum" ? dy![0]! : dy![0]! / n;
      dIn[k] = 2 * diff[k]! * g;
      if (dTarget) dTarget[k] = -dIn[k]!;
    }
    return [input.requiresGrad ? dIn : null, dTarget];
  });
  return out;
}

/** `torch.nn.CrossEntropyLoss` as an object: `new CrossEntropyLoss().forward(logits, targets)`. */
export class CrossEntropyLoss {
  constructor(readonly opts: CrossEntropyOptions = {}) {}

  forward(logits: Tensor, targets: IndexInput): Tensor {
    return crossEntropy(logits, targets, this.opts);
  }
}

/** `torch.nn.MSELoss` as an object: `new MSELoss().forward(input, target)`. */
export class MSELoss {
  constructor(readonly opts: MSELossOptions = {}) {}

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.opts);
  }
}
