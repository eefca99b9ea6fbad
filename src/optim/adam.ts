/**
 * Adam and AdamW, `torch.optim.Adam` / `torch.optim.AdamW` (PyTorch 1.13 semantics). They
 * are one algorithm that differs only in where weight decay enters: Adam adds wd·p to the
 * gradient (L2, "coupled"), AdamW shrinks p directly before the step ("decoupled").
 */
import { Tensor, allocate, type TypedData } from "../tensor.js";
import { Optimizer, type OptimizerOptions, type ParamsInput } from "./optimizer.js";
import { checkNumber } from "../options.js";
import { OptionError } from "../errors.js";
import { adamWasm } from "../kernels/adam.js";

export interface AdamOptions extends OptimizerOptions {
  /** Learning rate (default 1e-3). */
  lr?: number;
  /** Decay rates of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Added to the denominator for stability (default 1e-8). */
  eps?: number;
  /** Default 0 for Adam, 1e-2 for AdamW. */
  weightDecay?: number;
}

/** Adam's per-parameter state, as PyTorch's `step`, `exp_avg`, `exp_avg_sq`. */
export interface AdamState {
  /** Steps taken for this parameter (t in the bias corrections). */
  step: number;
  /** m: running mean of the gradient. */
  expAvg: Tensor;
  /** v: running mean of the squared gradient. */
  expAvgSq: Tensor;
}

/**
 * `torch.optim.Adam`. Per step t: g ← g + wd·p; m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
 * p ← p − lr·(m / (1−β1ᵗ)) / (√v / √(1−β2ᵗ) + eps). `amsgrad` is not supported.
 *
 * @example
 * const opt = new Adam(model, { lr: 0.01 });
 */
export class Adam extends Optimizer<AdamState> {
  lr: number;
  readonly betas: readonly [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  /** True for AdamW: weight decay shrinks p instead of entering the gradient. */
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, opts);
    const where = new.target.name;
    this.lr = checkNumber(where, "lr", opts.lr, { min: 0 }, 1e-3);
    this.betas = opts.betas ?? [0.9, 0.999];
    if (!Array.isArray(this.betas) || this.betas.length !== 2) throw new OptionError(`${where}: betas must be two numbers [β1, β2], got ${JSON.stringify(opts.betas)}`);
    this.betas.forEach((b, k) => checkNumber(where, `betas[${k}]`, b, { min: 0, max: 1, below: true }));
    // PyTorch allows eps = 0; a zero gradient then gives 0/0 = NaN parameters.
    this.eps = checkNumber(where, "eps", opts.eps, { min: 0, above: true }, 1e-8);
    this.weightDecay = checkNumber(where, "weightDecay", opts.weightDecay, { min: 0 }, 0);
  }

  protected createState(p: Tensor): AdamState {
    const zeros = (): Tensor => new Tensor(allocate(p.dtype, p.size), p.shape);
    return { step: 0, expAvg: zeros(), expAvgSq: zeros() };
  }

  protected update(p: Tensor, grad: TypedData, state: AdamState): void {
    const { lr, eps, weightDecay: wd } = this;
    const [beta1, beta2] = this.betas;
    const t = ++state.step;
    const biasCorrection1 = 1 - beta1 ** t;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** t);
    const m = state.expAvg.data;
    const v = state.expAvgSq.data;
    // Everything the loop reads that does not change, read once (large models: millions of k).
    const data = p.data;
    const n = p.size;
    const decoupled = this.decoupled;
    const shrink = 1 - lr * wd;
    const stepSize = lr / biasCorrection1;
    const scalars = { beta1, beta2, stepSize, bc2Sqrt: biasCorrection2Sqrt, eps, wd: decoupled ? 0 : wd, shrink: decoupled ? shrink : 1 };
    if (adamWasm(data, grad, m, v, scalars)) return;
    for (let k = 0; k < n; k++) {
      let g = grad[k]!;
      if (decoupled) data[k]! *= shrink;
      else g += wd * data[k]!;
      m[k] = beta1 * m[k]! + (1 - beta1) * g;
      v[k] = beta2 * v[k]! + (1 - beta2) * g * g;
      data[k]! -= stepSize * m[k]! / (Math.sqrt(v[k]!) / biasCorrection2Sqrt + eps);
    }
  }
}

/**
 * `torch.optim.AdamW`: Adam with decoupled weight decay, p ← p·(1 − lr·wd) before the Adam
 * step (default weightDecay 1e-2).
 */
export class AdamW extends Adam {
  protected override readonly decoupled: boolean = true;

  constructor(params: ParamsInput, opts: AdamOptions = {}) {
    super(params, { ...opts, weightDecay: opts.weightDecay ?? 1e-2 });
  }
}
