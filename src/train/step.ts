/**
 * One training step, the loop body every notebook writes: forward → loss → check it is
 * finite → backward → (clip) → update.
 */
import { assertTensor, type Tensor } from "../tensor.js";
import { clipGradNorm, gradNorm } from "../optim/clip.js";
import { assertFinite } from "../optim/finite.js";
import type { Optimizer } from "../optim/optimizer.js";

export interface TrainStepOptions {
  optimizer: Optimizer;
  /** Runs the forward pass and returns the scalar loss. */
  computeLoss: () => Tensor;
  /** Clip the global gradient norm to this value before the update (default: no clipping). */
  maxGradNorm?: number;
}

export interface TrainStepResult {
  /** The loss before the update. */
  loss: number;
  /** The global L2 norm of the gradients, before clipping. */
  gradNorm: number;
  /** False when the optimiser skipped the update (its `onNonFinite: "skip"` mode). */
  stepped: boolean;
}

/**
 * zeroGrad → loss = computeLoss() → assertFinite(loss) → backward → optional clipping → step.
 * A NaN/Inf loss throws a NonFiniteError before any gradient is computed.
 *
 * @example
 * const opt = new Adam(model, { lr: 0.01 });
 * for (let epoch = 0; epoch < 100; epoch++) {
 *   const { loss } = trainStep({ optimizer: opt, computeLoss: () => crossEntropy(model.forward(x), y), maxGradNorm: 1 });
 * }
 */
export function trainStep({ optimizer, computeLoss, maxGradNorm }: TrainStepOptions): TrainStepResult {
  optimizer.zeroGrad();
  const value: unknown = computeLoss();
  assertTensor("trainStep", "what computeLoss returns", value);
  const loss = assertFinite(value, "loss");
  loss.backward();
  const norm = maxGradNorm === undefined ? gradNorm(optimizer.params) : clipGradNorm(optimizer.params, maxGradNorm);
  const stepped = optimizer.step();
  return { loss: loss.item(), gradNorm: norm, stepped };
}
