/**
 * Stochastic gradient descent with optional momentum and Nesterov, `torch.optim.SGD`
 * (PyTorch 1.13 semantics, verified against its recorded steps).
 */
import { Tensor, allocate, type TypedData } from "../tensor.js";
import { Optimizer, type OptimizerOptions, type ParamsInput } from "./optimizer.js";
import { checkNumber, optionsObject } from "../options.js";

export interface SGDOptions extends OptimizerOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  /** L2 penalty added to the gradient: g ← g + weightDecay·p. */
  weightDecay?: number;
}

/** SGD's per-parameter state: the momentum buffer (null without momentum, as PyTorch). */
export interface SGDState {
  momentumBuffer: Tensor | null;
}

/**
 * `torch.optim.SGD`. Per step, with g the gradient and μ the momentum:
 * g ← g + wd·p; buf ← g (first step) or μ·buf + (1 − dampening)·g;
 * d = g + μ·buf (nesterov) or buf; p ← p − lr·d.
 *
 * @example
 * const opt = new SGD(model, { lr: 0.1, momentum: 0.9 });
 * opt.zeroGrad(); loss.backward(); opt.step();
 */
export class SGD extends Optimizer<SGDState> {
  lr: number;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(params: ParamsInput, opts: SGDOptions) {
    super(params, optionsObject("SGD", opts, "{ lr: 0.1 }"));
    this.lr = checkNumber("SGD", "lr", opts.lr, { min: 0 });
    this.momentum = checkNumber("SGD", "momentum", opts.momentum, { min: 0 }, 0);
    this.dampening = checkNumber("SGD", "dampening", opts.dampening, { min: 0, max: 1 }, 0);
    this.nesterov = opts.nesterov ?? false;
    this.weightDecay = checkNumber("SGD", "weightDecay", opts.weightDecay, { min: 0 }, 0);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new RangeError("SGD: nesterov needs momentum > 0 and dampening = 0 (as PyTorch)");
    }
  }

  protected createState(): SGDState {
    return { momentumBuffer: null };
  }

  protected update(p: Tensor, grad: TypedData, state: SGDState): void {
    const { lr, momentum: mu, dampening, nesterov, weightDecay: wd } = this;
    const firstStep = state.momentumBuffer === null;
    if (mu !== 0 && firstStep) state.momentumBuffer = new Tensor(allocate(p.dtype, p.size), p.shape);
    const buf = state.momentumBuffer?.data;
    for (let k = 0; k < p.size; k++) {
      const g = grad[k]! + wd * p.data[k]!;
      let d = g;
      if (buf) {
        buf[k] = firstStep ? g : mu * buf[k]! + (1 - dampening) * g;
        d = nesterov ? g + mu * buf[k]! : buf[k]!;
      }
      p.data[k]! -= lr * d;
    }
  }
}
