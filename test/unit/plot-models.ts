/**
 * The lecture's toy language model, trained for a few Adam steps, for the plot tests:
 * Embedding → RNN/LSTM/GRU → Linear on "I like pizza. I like cake." (next-token prediction).
 */
import {
  Adam, Embedding, GRU, LSTM, Linear, RNN, crossEntropy, gradientNorms, manualSeed, reshape, trainStep,
  type GRUTraceEntry, type LSTMTraceEntry, type RNNTraceEntry, type Tensor,
} from "../../src/index.js";

export const CORPUS = "I like pizza. I like cake.";
export const WORDS = CORPUS.replace(/\./g, " .").split(/\s+/).filter(Boolean);
export const VOCAB = [...new Set(WORDS)];
export const IDS = WORDS.map((w) => VOCAB.indexOf(w));
/** Inputs are every token but the last; targets are the next token of each. */
export const INPUT_TOKENS = WORDS.slice(0, -1);
export const TARGET_TOKENS = WORDS.slice(1);

export type CellName = "rnn" | "lstm" | "gru";
type AnyTrace = RNNTraceEntry[] | LSTMTraceEntry[] | GRUTraceEntry[];

export interface Trained {
  /** Logits (1, T, V) of the last forward pass. */
  logits: Tensor;
  /** Trace of the last forward pass, with dh filled in by its backward pass. */
  trace: AnyTrace;
  losses: number[];
  /** ‖∂L/∂h_t‖ of layer 0 after each training step's backward. */
  normHistory: number[][];
}

export function trainTiny(cell: CellName, steps = 20, opts: { bidirectional?: boolean; hidden?: number } = {}): Trained {
  manualSeed(7);
  const V = VOCAB.length;
  const H = opts.hidden ?? 8;
  const dirs = opts.bidirectional ? 2 : 1;
  const embedding = new Embedding({ numEmbeddings: V, embeddingDim: 8, dtype: "float64" });
  const rnnOpts = { inputSize: 8, hiddenSize: H, batchFirst: true, bidirectional: opts.bidirectional ?? false, dtype: "float64" as const };
  const rnn = cell === "lstm" ? new LSTM(rnnOpts) : cell === "gru" ? new GRU(rnnOpts) : new RNN(rnnOpts);
  const linear = new Linear({ inFeatures: H * dirs, outFeatures: V, dtype: "float64" });
  const params = [...embedding.parameters(), ...rnn.parameters(), ...linear.parameters()];
  const optimizer = new Adam(params, { lr: 0.05 });
  const x = [IDS.slice(0, -1)];
  const y = IDS.slice(1);
  let last: { logits: Tensor; trace: AnyTrace } | null = null;
  const losses: number[] = [];
  const normHistory: number[][] = [];
  const forward = (): Tensor => {
    const [out, , trace] = (rnn as LSTM).forward(embedding.forward(x), null, { trace: true });
    const logits = linear.forward(out);
    last = { logits, trace: trace as AnyTrace };
    return crossEntropy(reshape(logits, [-1, V]), y);
  };
  for (let s = 0; s < steps; s++) {
    losses.push(trainStep({ optimizer, computeLoss: forward }).loss);
    normHistory.push(gradientNorms(last!.trace)[0]!.norms);
  }
  // One more forward + backward without a step, so the trace matches the final weights.
  const loss = forward();
  loss.backward();
  return { ...last!, losses, normHistory };
}
