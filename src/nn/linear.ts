/**
 * `Linear`: y = x Wᵀ + b over any leading dimensions, as `torch.nn.Linear`.
 * One fused op: the forward product and its hand-derived backward sit side by side.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { gemm } from "../kernels/gemm.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor, allocate, assertSameDType, assertTensor, checkElements, recordOp, sizeOf, type TypedData } from "../tensor.js";
import { Module, type FactoryOptions } from "./module.js";
import { dtypeOption } from "../options.js";

/**
 * y = x Wᵀ + b, like `torch.nn.functional.linear`. `x` is (..., in), `weight` (out, in),
 * `bias` (out,) or null; y is (..., out).
 */
export function linear(x: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`linear: weight must be (out, in), got ${fmtShape(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.ndim === 0 || x.shape[x.ndim - 1] !== inF) {
    throw new ShapeError(
      `linear: input's last dimension must be inFeatures = ${inF}, got input shape ${fmtShape(x.shape)} (weight shape ${fmtShape(weight.shape)})`,
    );
  }
  if (bias && (bias.ndim !== 1 || bias.shape[0] !== outF)) {
    throw new ShapeError(`linear: bias must be (${outF},) to match weight ${fmtShape(weight.shape)}, got ${fmtShape(bias.shape)}`);
  }
  assertSameDType(x, weight, "linear(input, weight)");
  if (bias) assertSameDType(weight, bias, "linear(weight, bias)");

  const M = x.size / inF; // every leading position is one row
  const y = allocate(x.dtype, M * outF);
  gemm(M, outF, inF, x.data, 0, false, weight.data, 0, true, y, 0, false);
  if (bias) {
    const b = bias.data;
    for (let m = 0; m < M; m++) {
      const row = m * outF;
      for (let j = 0; j < outF; j++) y[row + j]! += b[j]!;
    }
  }
  const out = new Tensor(y, [...x.shape.slice(0, -1), outF]);

  const inputs = bias ? [x, weight, bias] : [x, weight];
  recordOp("linear", inputs, [out], [x, weight], ([dy]) => {
    const g = dy!;
    let dx: TypedData | null = null;
    let dW: TypedData | null = null;
    let db: TypedData | null = null;
    if (x.requiresGrad) {
      // dL/dx = dy W
      dx = allocate(x.dtype, x.size);
      gemm(M, inF, outF, g, 0, false, weight.data, 0, false, dx, 0, false);
    }
    if (weight.requiresGrad) {
      // dL/dW = dyᵀ x, summed over every leading position
      dW = allocate(weight.dtype, weight.size);
      gemm(outF, inF, M, g, 0, true, x.data, 0, false, dW, 0, false);
    }
    if (bias?.requiresGrad) {
      // dL/db = Σ_rows dy
      db = allocate(bias.dtype, outF);
      for (let m = 0; m < M; m++) {
        const row = m * outF;
        for (let j = 0; j < outF; j++) db[j]! += g[row + j]!;
      }
    }
    return bias ? [dx, dW, db] : [dx, dW];
  });
  return out;
}

export interface LinearOptions extends FactoryOptions {
  inFeatures: number;
  outFeatures: number;
  /** Add a learnable bias (default true). */
  bias?: boolean;
  /** Generator for the initial values (default: the global one, see `manualSeed`). */
  generator?: Generator;
}

/**
 * A fully connected layer, `torch.nn.Linear`: y = x Wᵀ + b with weight (out, in).
 *
 * Differs on purpose: PyTorch's constructor is positional, `Linear(in, out, bias)`; seqlab
 * takes one options object, `new Linear({ inFeatures: 4, outFeatures: 2 })`, so notebook
 * cells say what each number means.
 *
 * Initialisation as PyTorch: weight and bias ~ U(−1/√in, 1/√in).
 *
 * @example
 * const layer = new Linear({ inFeatures: 3, outFeatures: 2 });
 * const y = layer.forward(randn([5, 3])); // (5, 2)
 */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(opts: LinearOptions) {
    super();
    const { inFeatures, outFeatures } = opts;
    for (const [name, v] of [["inFeatures", inFeatures], ["outFeatures", outFeatures]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`Linear: ${name} must be a positive integer, got ${v}`);
    }
    checkElements(`Linear: inFeatures ${inFeatures} × outFeatures ${outFeatures}`, inFeatures * outFeatures, dtypeOption("Linear", opts.dtype));
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    const dtype = dtypeOption("Linear", opts.dtype);
    const gen = opts.generator ?? defaultGenerator;
    const bound = 1 / Math.sqrt(inFeatures);
    const uniform = (shape: number[]): Tensor => {
      const data = allocate(dtype, sizeOf(shape));
      for (let k = 0; k < data.length; k++) data[k] = gen.uniform(-bound, bound);
      return new Tensor(data, shape);
    };
    this.weight = this.registerParameter("weight", uniform([outFeatures, inFeatures]));
    this.bias = this.registerParameter("bias", opts.bias === false ? null : uniform([outFeatures]));
  }

  forward(x: Tensor): Tensor {
    assertTensor("Linear", "the input", x);
    return linear(x, this.weight, this.bias);
  }

  protected override extraRepr(): string {
    return `inFeatures=${this.inFeatures}, outFeatures=${this.outFeatures}, bias=${this.bias !== null}`;
  }
}
