/**
 * `Dropout`: inverted dropout, as `torch.nn.Dropout`. In training mode each value is zeroed
 * with probability p and the survivors are scaled by 1/(1−p), so the expected value is
 * unchanged and evaluation needs no rescaling. In `eval()` mode it returns the input.
 */
import { Tensor, allocate, recordOp } from "../tensor.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Module } from "./module.js";

export interface DropoutOptions {
  /** Generator for the masks (default: the global one, see `manualSeed`). */
  generator?: Generator;
}

/**
 * Zeroes each value with probability `p` (default 0.5) while training, like `torch.nn.Dropout(p)`.
 * PyTorch's `inplace` flag is not supported; a seeded `generator` may be given instead.
 *
 * @example
 * const drop = new Dropout(0.1);
 * const y = drop.forward(x); // call drop.eval() (or model.eval()) to switch it off
 */
export class Dropout extends Module {
  readonly p: number;
  private readonly generator: Generator;

  constructor(p = 0.5, opts: DropoutOptions = {}) {
    super();
    if (!(p >= 0 && p <= 1)) throw new RangeError(`Dropout: p must be in [0, 1], got ${p}`);
    this.p = p;
    this.generator = opts.generator ?? defaultGenerator;
  }

  forward(x: Tensor): Tensor {
    if (!this.training || this.p === 0) return x;
    // mask holds 0 or 1/(1−p); with p = 1 every value is dropped (scale would be 1/0).
    const scale = this.p === 1 ? 0 : 1 / (1 - this.p);
    const mask = allocate(x.dtype, x.size);
    for (let k = 0; k < mask.length; k++) mask[k] = this.generator.random() < this.p ? 0 : scale;
    const y = allocate(x.dtype, x.size);
    for (let k = 0; k < y.length; k++) y[k] = x.data[k]! * mask[k]!;
    const out = new Tensor(y, x.shape);
    recordOp("dropout", [x], [out], [], ([dy]) => {
      const dx = allocate(x.dtype, x.size);
      for (let k = 0; k < dx.length; k++) dx[k] = dy![k]! * mask[k]!;
      return [dx];
    });
    return out;
  }

  protected override extraRepr(): string {
    return `p=${this.p}`;
  }
}
