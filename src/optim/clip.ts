/**
 * Gradient clipping by global norm, `torch.nn.utils.clip_grad_norm_`: the usual cure for
 * exploding gradients in recurrent networks.
 */
import type { Tensor } from "../tensor.js";
import { namedParams, type ParamsInput } from "./optimizer.js";
import { checkNumber } from "../options.js";

/**
 * The norm of all gradients taken together, as if concatenated into one vector
 * (p = 2 by default; `Infinity` gives the largest |g|). Parameters without a gradient are skipped.
 */
export function gradNorm(params: ParamsInput, normType = 2): number {
  checkNumber("gradNorm", "normType", normType, { min: 0, above: true, infinite: true });
  const grads = namedParams(params).flatMap(([, p]) => (p.grad ? [p.grad.data] : []));
  let acc = 0;
  for (const g of grads) {
    for (let k = 0; k < g.length; k++) {
      const a = Math.abs(g[k]!);
      acc = normType === Infinity ? Math.max(acc, a) : acc + a ** normType;
    }
  }
  return normType === Infinity ? acc : acc ** (1 / normType);
}

/**
 * Scales every gradient in place by min(1, maxNorm / (totalNorm + 1e-6)) and returns
 * totalNorm, measured BEFORE clipping (as PyTorch, including its +1e-6). Like PyTorch, the
 * gradients are multiplied even when the factor is 1.
 *
 * @example
 * loss.backward();
 * const norm = clipGradNorm(model.parameters(), 1.0);
 * optimizer.step();
 */
export function clipGradNorm(params: ParamsInput, maxNorm: number, normType = 2): number {
  // A negative maxNorm would flip every gradient (training would ascend); 0 would erase them.
  checkNumber("clipGradNorm", "maxNorm", maxNorm, { min: 0, above: true });
  checkNumber("clipGradNorm", "normType", normType, { min: 0, above: true, infinite: true });
  const withGrad: Tensor[] = namedParams(params).map(([, p]) => p).filter((p) => p.grad !== null);
  const totalNorm = gradNorm(withGrad, normType);
  const clipCoef = Math.min(1, maxNorm / (totalNorm + 1e-6));
  for (const p of withGrad) {
    const g = p.grad!.data;
    for (let k = 0; k < g.length; k++) g[k]! *= clipCoef;
  }
  return totalNorm;
}
