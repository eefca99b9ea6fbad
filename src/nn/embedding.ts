/**
 * `Embedding`: a lookup table of learnable vectors, one row per token id, as
 * `torch.nn.Embedding`. The backward pass scatters each output gradient back into its row,
 * so a token that appears twice collects both gradients.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor, allocate, checkElements, recordOp, tensor, type NestedArray } from "../tensor.js";
import { Module, type FactoryOptions } from "./module.js";
import { dtypeOption } from "../options.js";

/** Token ids or class ids: a Tensor holding integral values, or nested arrays of integers. */
export type IndexInput = Tensor | NestedArray;

/** Ids as a Tensor (nested arrays are converted; values are checked by `readIndices`). */
export function indexTensor(value: IndexInput): Tensor {
  return value instanceof Tensor ? value : tensor(value, { dtype: "float64" });
}

/**
 * Reads integral ids (token ids, cross-entropy targets) and checks each one with `isValid`.
 * A bad id throws a RangeError naming the value, its position and `expected`.
 */
export function readIndices(t: Tensor, where: string, isValid: (id: number) => boolean, expected: string): Int32Array {
  const ids = new Int32Array(t.size);
  for (let k = 0; k < t.size; k++) {
    const v = t.data[k]!;
    if (!Number.isInteger(v) || !isValid(v)) {
      const what = Number.isInteger(v) ? "is out of range" : "is not an integer";
      throw new RangeError(`${where}: id ${v} at position ${fmtPosition(k, t.shape)} ${what}; ${expected}`);
    }
    ids[k] = v;
  }
  return ids;
}

/** Flat offset → `[i, j, ...]` in a row-major shape. */
function fmtPosition(flat: number, shape: readonly number[]): string {
  const pos: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    pos.unshift(flat % shape[d]!);
    flat = Math.floor(flat / shape[d]!);
  }
  return `[${pos.join(", ")}]`;
}

/**
 * Looks up rows of `weight` (V, D) for every id: output shape is `ids.shape + (D,)`, like
 * `torch.nn.functional.embedding`. Rows at `paddingIdx` receive no gradient.
 */
export function embedding(indices: IndexInput, weight: Tensor, paddingIdx: number | null = null): Tensor {
  if (weight.ndim !== 2) throw new ShapeError(`embedding: weight must be (numEmbeddings, embeddingDim), got ${fmtShape(weight.shape)}`);
  const [V, D] = weight.shape as [number, number];
  const idTensor = indexTensor(indices);
  const ids = readIndices(
    idTensor,
    "Embedding",
    (id) => id >= 0 && id < V,
    `token ids must be integers in [0, ${V - 1}] (numEmbeddings = ${V})`,
  );

  // Plain loops: a subarray per row would make a typed-array object per token.
  const y = allocate(weight.dtype, ids.length * D);
  const w = weight.data;
  for (let n = 0; n < ids.length; n++) {
    const from = ids[n]! * D;
    const to = n * D;
    for (let j = 0; j < D; j++) y[to + j] = w[from + j]!;
  }
  const out = new Tensor(y, [...idTensor.shape, D]);

  recordOp("embedding", [weight], [out], [], ([dy]) => {
    const dW = allocate(weight.dtype, weight.size);
    const g = dy!;
    for (let n = 0; n < ids.length; n++) {
      const id = ids[n]!;
      if (id === paddingIdx) continue;
      const to = id * D;
      const from = n * D;
      for (let j = 0; j < D; j++) dW[to + j]! += g[from + j]!;
    }
    return [dW];
  });
  return out;
}

export interface EmbeddingOptions extends FactoryOptions {
  numEmbeddings: number;
  embeddingDim: number;
  /** This row starts at zero and never gets a gradient (a "no token" slot). Negative counts from the end. */
  paddingIdx?: number | null;
  /** Generator for the initial values (default: the global one, see `manualSeed`). */
  generator?: Generator;
}

/**
 * A table of `numEmbeddings` learnable vectors of size `embeddingDim`, `torch.nn.Embedding`.
 * `forward(ids)` takes a Tensor of integral values or nested arrays of integers, any shape,
 * and returns `ids.shape + (embeddingDim,)`. Initialised N(0, 1) as PyTorch.
 *
 * Differs on purpose: options object instead of PyTorch's positional `(num, dim)`;
 * `maxNorm`, `scaleGradByFreq` and `sparse` are not supported.
 *
 * @example
 * const emb = new Embedding({ numEmbeddings: 5, embeddingDim: 8 });
 * const x = emb.forward([[0, 1, 2, 3]]); // (1, 4, 8)
 */
export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(opts: EmbeddingOptions) {
    super();
    const { numEmbeddings, embeddingDim } = opts;
    for (const [name, v] of [["numEmbeddings", numEmbeddings], ["embeddingDim", embeddingDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new ShapeError(`Embedding: ${name} must be a positive integer, got ${v}`);
    }
    checkElements(`Embedding: numEmbeddings ${numEmbeddings} × embeddingDim ${embeddingDim}`, numEmbeddings * embeddingDim, dtypeOption("Embedding", opts.dtype));
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    let pad = opts.paddingIdx ?? null;
    if (pad !== null) {
      if (!Number.isInteger(pad) || pad < -numEmbeddings || pad >= numEmbeddings) {
        throw new ShapeError(`Embedding: paddingIdx must be an integer in [${-numEmbeddings}, ${numEmbeddings - 1}], got ${pad}`);
      }
      if (pad < 0) pad += numEmbeddings;
    }
    this.paddingIdx = pad;
    const gen = opts.generator ?? defaultGenerator;
    const data = allocate(dtypeOption("Embedding", opts.dtype), numEmbeddings * embeddingDim);
    for (let k = 0; k < data.length; k++) data[k] = gen.normal();
    if (pad !== null) data.fill(0, pad * embeddingDim, (pad + 1) * embeddingDim);
    this.weight = this.registerParameter("weight", new Tensor(data, [numEmbeddings, embeddingDim]));
  }

  forward(indices: IndexInput): Tensor {
    return embedding(indices, this.weight, this.paddingIdx);
  }

  protected override extraRepr(): string {
    const pad = this.paddingIdx === null ? "" : `, paddingIdx=${this.paddingIdx}`;
    return `${this.numEmbeddings}, ${this.embeddingDim}${pad}`;
  }
}
