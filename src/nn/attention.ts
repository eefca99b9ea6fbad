/**
 * Single-head self-attention, built from seqlab's ops only (so autograd differentiates it and
 * there is no hand-written backward here):
 *
 *   Q = x W_qᵀ + b_q,   K = x W_kᵀ + b_k,   V = x W_vᵀ + b_v
 *   A = softmax(Q Kᵀ / √d)          (B, T, T): row t says how much position t reads from each position
 *   y = A V W_oᵀ + b_o
 *
 * Unlike a recurrent layer, every position sees every other position in one step: there is no
 * state carried along the sequence, so nothing has to survive k updates to be remembered. The
 * price is that attention alone does not know the order of the tokens (permuting the inputs
 * permutes the outputs), which is why `AttentionClassifier` adds a learned position vector.
 */
import { ShapeError, fmtShape } from "../errors.js";
import { add } from "../ops/elementwise.js";
import { matmul } from "../ops/matmul.js";
import { select, transpose } from "../ops/shape.js";
import { softmax } from "../ops/softmax.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor, allocate } from "../tensor.js";
import { Linear } from "./linear.js";
import { Module, type FactoryOptions } from "./module.js";
import { dtypeOption } from "../options.js";

/** Options of `SelfAttention`. */
export interface SelfAttentionOptions extends FactoryOptions {
  /** d: the size of each position's vector, in and out (PyTorch's `embed_dim`). */
  embedDim: number;
  /** Biases on the four projections (default true, as PyTorch). */
  bias?: boolean;
  /** Source of the initial weights (default: the global generator). */
  generator?: Generator;
}

/**
 * One attention head over a batch-first sequence. `forward(x)` with x (B, T, d) returns
 * `[y, weights]`: y (B, T, d) and the attention weights A (B, T, T), each row summing to 1.
 *
 * PyTorch: `nn.MultiheadAttention(d, num_heads=1, batch_first=True)` called as `mha(x, x, x)`,
 * which also returns `(attn_output, attn_weights)`. Differs on purpose: the projections are four
 * separate `Linear`s (`query`, `key`, `value`, `out`) instead of one packed `in_proj_weight`, so
 * each can be printed and plotted on its own; no masks, no dropout, one head.
 */
export class SelfAttention extends Module {
  readonly embedDim: number;
  readonly query: Linear;
  readonly key: Linear;
  readonly value: Linear;
  readonly out: Linear;

  constructor(opts: SelfAttentionOptions) {
    super();
    const { embedDim } = opts;
    if (!Number.isInteger(embedDim) || embedDim <= 0) throw new ShapeError(`SelfAttention: embedDim must be a positive integer, got ${embedDim}`);
    this.embedDim = embedDim;
    const layer = { inFeatures: embedDim, outFeatures: embedDim, bias: opts.bias ?? true, dtype: dtypeOption("SelfAttention", opts.dtype), generator: opts.generator ?? defaultGenerator };
    this.query = this.registerModule("query", new Linear(layer));
    this.key = this.registerModule("key", new Linear(layer));
    this.value = this.registerModule("value", new Linear(layer));
    this.out = this.registerModule("out", new Linear(layer));
  }

  forward(x: Tensor): [Tensor, Tensor] {
    if (x.ndim !== 3 || x.shape[2] !== this.embedDim) {
      throw new ShapeError(`SelfAttention: expected input (B, T, ${this.embedDim}) (batch-first, embedDim last), got ${fmtShape(x.shape)}`);
    }
    const q = this.query.forward(x);
    const k = this.key.forward(x);
    const v = this.value.forward(x);
    // Dividing by √d keeps the scores' spread independent of d, so softmax does not saturate.
    const scores = matmul(q, transpose(k, 1, 2)).div(Math.sqrt(this.embedDim));
    const weights = softmax(scores, 2);
    return [this.out.forward(matmul(weights, v)), weights];
  }

  protected override extraRepr(): string {
    return `embedDim=${this.embedDim}`;
  }
}

/** Options of `AttentionClassifier`. */
export interface AttentionClassifierOptions extends FactoryOptions {
  /** The size of each input vector (the vocabulary size for one-hot tokens). */
  inputSize: number;
  /** d: the width of the attention layer. */
  embedDim: number;
  numClasses: number;
  /** The longest sequence it can read: one learned position vector per position. */
  maxLength: number;
  generator?: Generator;
}

/**
 * The recurrent classifiers' counterpart with attention instead of recurrence:
 * e_t = W_in x_t + p_t (p_t a learned vector per position, since attention alone ignores
 * order), one `SelfAttention` layer, and a Linear head on the LAST position's output, so it
 * answers "after reading the whole sequence" like `RecurrentClassifier` with readout "last".
 * x: (B, T, inputSize) with T ≤ maxLength; returns logits (B, numClasses).
 * No single PyTorch class: an nn.Linear, a position nn.Parameter, nn.MultiheadAttention, nn.Linear.
 */
export class AttentionClassifier extends Module {
  readonly maxLength: number;
  readonly embed: Linear;
  readonly position: Tensor;
  readonly attention: SelfAttention;
  readonly head: Linear;
  /** The attention weights (B, T, T) of the last forward pass, for plotting. */
  lastWeights: Tensor | null = null;

  constructor(opts: AttentionClassifierOptions) {
    super();
    const dtype = dtypeOption("AttentionClassifier", opts.dtype);
    const gen = opts.generator ?? defaultGenerator;
    this.maxLength = opts.maxLength;
    this.embed = this.registerModule("embed", new Linear({ inFeatures: opts.inputSize, outFeatures: opts.embedDim, dtype, generator: gen }));
    const p = allocate(dtype, opts.maxLength * opts.embedDim);
    for (let k = 0; k < p.length; k++) p[k] = gen.normal(); // N(0, 1), as nn.Embedding's init
    this.position = this.registerParameter("position", new Tensor(p, [opts.maxLength, opts.embedDim]));
    this.attention = this.registerModule("attention", new SelfAttention({ embedDim: opts.embedDim, dtype, generator: gen }));
    this.head = this.registerModule("head", new Linear({ inFeatures: opts.embedDim, outFeatures: opts.numClasses, dtype, generator: gen }));
  }

  forward(x: Tensor): Tensor {
    const T = x.shape[1]!;
    if (x.ndim !== 3 || T > this.maxLength) {
      throw new ShapeError(`AttentionClassifier: expected input (B, T ≤ ${this.maxLength}, ${this.embed.inFeatures}), got ${fmtShape(x.shape)}`);
    }
    const e = add(this.embed.forward(x), this.position.slice(0, 0, T));
    const [y, weights] = this.attention.forward(e);
    this.lastWeights = weights.detach();
    return this.head.forward(select(y, 1, T - 1));
  }

  protected override extraRepr(): string {
    return `maxLength=${this.maxLength}`;
  }
}
