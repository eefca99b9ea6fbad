/**
 * Two ready-made models for the notebooks' tasks, so an experiment cell reads "build, fit,
 * score" instead of wiring layers by hand:
 * - `WindowClassifier`: a feedforward net that sees a fixed window of W one-hot tokens,
 *   y = W₂ tanh(W₁ x + b₁) + b₂ on the flattened window (no PyTorch class: an nn.Sequential of
 *   Flatten, Linear, Tanh, Linear).
 * - `RecurrentClassifier`: an RNN, LSTM or GRU followed by a Linear head, scoring either the
 *   whole sequence (from the final state) or every step.
 */
import { OptionError, ShapeError, fmtShape } from "../errors.js";
import { cat, select } from "../ops/shape.js";
import { tanh } from "../ops/unary.js";
import { Tensor } from "../tensor.js";
import { Embedding, type IndexInput } from "./embedding.js";
import { Linear } from "./linear.js";
import { Module, type FactoryOptions } from "./module.js";
import { GRU, type GRUVariant } from "./recurrent/gru.js";
import { LSTM } from "./recurrent/lstm.js";
import { RNN, type Nonlinearity } from "./recurrent/rnn.js";
import type { GRUTrace, LSTMTrace, RNNTrace } from "./recurrent/trace.js";
import { checkNumber, dtypeOption, oneOf, optionsObject } from "../options.js";

/** Options of `WindowClassifier`. */
export interface WindowClassifierOptions extends FactoryOptions {
  /** How many consecutive tokens the net sees. */
  window: number;
  /** The size of each token's vector (the vocabulary size for one-hot inputs). */
  inputSize: number;
  hiddenSize: number;
  numClasses: number;
}

/**
 * A feedforward classifier over a fixed window: x (B, window, inputSize) is flattened to
 * (B, window·inputSize), so each position has its own weights and a window of another length
 * does not fit (a ShapeError says so). Returns logits (B, numClasses).
 */
export class WindowClassifier extends Module {
  readonly window: number;
  readonly inputSize: number;
  readonly hidden: Linear;
  readonly out: Linear;

  constructor(opts: WindowClassifierOptions) {
    super();
    this.window = opts.window;
    this.inputSize = opts.inputSize;
    const dtype = dtypeOption("WindowClassifier", opts.dtype);
    this.hidden = this.registerModule("hidden", new Linear({ inFeatures: opts.window * opts.inputSize, outFeatures: opts.hiddenSize, dtype }));
    this.out = this.registerModule("out", new Linear({ inFeatures: opts.hiddenSize, outFeatures: opts.numClasses, dtype }));
  }

  forward(x: Tensor): Tensor {
    const expected = `(B, ${this.window}, ${this.inputSize})`;
    if (x.ndim !== 3 || x.shape[1] !== this.window || x.shape[2] !== this.inputSize) {
      throw new ShapeError(
        `WindowClassifier: expected a window of exactly ${this.window} tokens, input ${expected}, got ${fmtShape(x.shape)}; a feedforward net has one weight block per position, so it cannot take another length`,
      );
    }
    return this.out.forward(tanh(this.hidden.forward(x.reshape([x.shape[0]!, this.window * this.inputSize]))));
  }

  protected override extraRepr(): string {
    return `window=${this.window}`;
  }
}

/** The trace of whichever recurrent layer a `RecurrentClassifier` holds. */
export type RecurrentTrace = RNNTrace | LSTMTrace | GRUTrace;

/** Which recurrent layer a `RecurrentClassifier` uses. */
export type RecurrentKind = "rnn" | "lstm" | "gru";

/** Options of `RecurrentClassifier`. */
export interface RecurrentClassifierOptions extends FactoryOptions {
  kind: RecurrentKind;
  inputSize: number;
  hiddenSize: number;
  numClasses: number;
  /** "last" (default): one prediction per sequence from the final state; "all": one per step. */
  readout?: "last" | "all";
  bidirectional?: boolean;
  numLayers?: number;
  /** For kind "rnn": "tanh" (default) or "relu". */
  nonlinearity?: Nonlinearity;
  /** For kind "gru": where the reset gate acts, as `GRU`'s option ("after", PyTorch's, by default). */
  resetPosition?: GRUVariant["resetPosition"];
  /** For kind "gru": which of h_{t−1} and n the update gate z weighs, as `GRU`'s option ("pytorch" by default). */
  updateConvention?: GRUVariant["updateConvention"];
  /**
   * Token ids in: an Embedding(vocabSize, inputSize) reads them first (child `embed`), as in a
   * character-level language model `embed → rnn → head`. Without it the input is (B, T, inputSize).
   */
  vocabSize?: number;
}

/**
 * A recurrent layer (batch-first) with a Linear head. x: (B, T, inputSize), or token ids (B, T)
 * with `vocabSize` (an Embedding first). Returns logits
 * (B, numClasses) with readout "last", else (B, T, numClasses). With readout "last" the head
 * reads the last layer's h_n: for a bidirectional layer [forward h at the last step ; reverse h
 * at the first step], each direction's summary of the whole sequence.
 */
export class RecurrentClassifier extends Module {
  readonly kind: RecurrentKind;
  readonly readout: "last" | "all";
  readonly embed: Embedding | null;
  readonly rnn: RNN | LSTM | GRU;
  readonly head: Linear;

  constructor(opts: RecurrentClassifierOptions) {
    super();
    optionsObject("RecurrentClassifier", opts, '{ kind: "lstm", inputSize: 4, hiddenSize: 16, numClasses: 4 }');
    this.kind = oneOf("RecurrentClassifier", "kind", opts.kind, ["rnn", "lstm", "gru"], "rnn");
    if (opts.kind === undefined) throw new OptionError('RecurrentClassifier: kind is required: "rnn", "lstm" or "gru"');
    this.readout = oneOf("RecurrentClassifier", "readout", opts.readout, ["last", "all"], "last");
    if (opts.nonlinearity !== undefined && this.kind !== "rnn") throw new OptionError(`RecurrentClassifier: nonlinearity is for kind "rnn" only, got it with kind "${this.kind}"`);
    for (const name of ["resetPosition", "updateConvention"] as const) {
      if (opts[name] !== undefined && this.kind !== "gru") throw new OptionError(`RecurrentClassifier: ${name} is for kind "gru" only, got it with kind "${this.kind}"`);
    }
    const layer = {
      inputSize: opts.inputSize, hiddenSize: opts.hiddenSize, batchFirst: true,
      bidirectional: opts.bidirectional ?? false, numLayers: opts.numLayers ?? 1, dtype: dtypeOption("RecurrentClassifier", opts.dtype),
    };
    if (opts.vocabSize !== undefined) checkNumber("RecurrentClassifier", "vocabSize", opts.vocabSize, { min: 1, integer: true });
    this.embed = opts.vocabSize === undefined ? null
      : this.registerModule("embed", new Embedding({ numEmbeddings: opts.vocabSize, embeddingDim: opts.inputSize, dtype: layer.dtype }));
    const gru = { ...layer, resetPosition: opts.resetPosition, updateConvention: opts.updateConvention };
    const rnn = this.kind === "lstm" ? new LSTM(layer) : this.kind === "gru" ? new GRU(gru) : new RNN({ ...layer, nonlinearity: opts.nonlinearity ?? "tanh" });
    this.rnn = this.registerModule("rnn", rnn);
    const D = layer.bidirectional ? 2 : 1;
    this.head = this.registerModule("head", new Linear({ inFeatures: D * opts.hiddenSize, outFeatures: opts.numClasses, dtype: layer.dtype }));
  }

  forward(x: Tensor | IndexInput): Tensor {
    return this.run(x, false)[0];
  }

  /**
   * The logits and the recurrent layer's trace (gates and states of every step; its `dh` is
   * filled in once a loss computed from these logits has run backward).
   */
  forwardWithTrace(x: Tensor | IndexInput): [Tensor, RecurrentTrace] {
    const [logits, trace] = this.run(x, true);
    return [logits, trace!];
  }

  private run(x: Tensor | IndexInput, withTrace: boolean): [Tensor, RecurrentTrace | null] {
    let input: Tensor;
    if (this.embed) input = this.embed.forward(x);
    else if (x instanceof Tensor) input = x;
    else throw new TypeError(`RecurrentClassifier: expected a Tensor of shape (B, T, ${this.rnn.inputSize}), got ${Array.isArray(x) ? "an array" : typeof x}; token ids need the vocabSize option (an Embedding first)`);
    const [output, hN, trace] = this.runLayer(input, withTrace);
    if (this.readout === "all") return [this.head.forward(output), trace];
    const L = this.rnn.numLayers;
    const summary = this.rnn.bidirectional
      ? cat([select(hN, 0, 2 * L - 2), select(hN, 0, 2 * L - 1)], 1)
      : select(hN, 0, L - 1);
    return [this.head.forward(summary), trace];
  }

  private runLayer(x: Tensor, trace: boolean): [Tensor, Tensor, RecurrentTrace | null] {
    const opts = { trace };
    if (this.rnn instanceof LSTM) {
      const r = this.rnn.forward(x, null, opts);
      return [r[0], r[1][0], r[2] ?? null];
    }
    const r = this.rnn.forward(x, null, opts);
    return [r[0], r[1], r[2] ?? null];
  }

  protected override extraRepr(): string {
    return `readout=${this.readout}`;
  }
}
