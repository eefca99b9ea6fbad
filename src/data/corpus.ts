/**
 * Text → token ids → one-hot vectors, for the lecture's tiny corpora. The vocabulary lists
 * tokens in the order they first appear, so "I like pizza. I like cake." gives
 * I = 0, like = 1, pizza = 2, . = 3, cake = 4 (the same ids the PyTorch fixtures use).
 */
import { tensor, type DType, type NestedArray, type Tensor } from "../tensor.js";

/**
 * Splits text into word tokens on whitespace; each punctuation mark (. , ! ?) becomes a token
 * of its own, so "pizza." is ["pizza", "."]. Case is kept ("I" stays "I").
 */
export function tokenize(text: string): string[] {
  return text.replace(/([.,!?])/g, " $1 ").split(/\s+/).filter((w) => w.length > 0);
}

/** The distinct tokens in order of first appearance: position in the list = token id. */
export function buildVocab(tokens: readonly string[]): string[] {
  return [...new Set(tokens)];
}

/** Token strings → ids. An unknown token throws, naming it and the vocabulary. */
export function encode(tokens: readonly string[], vocab: readonly string[]): number[] {
  return tokens.map((w) => {
    const id = vocab.indexOf(w);
    if (id < 0) throw new RangeError(`encode: "${w}" is not in the vocabulary [${vocab.join(", ")}]`);
    return id;
  });
}

/** Ids → token strings. An id outside the vocabulary throws. */
export function decode(ids: readonly number[], vocab: readonly string[]): string[] {
  return ids.map((id) => {
    const w = vocab[id];
    if (!Number.isInteger(id) || w === undefined) throw new RangeError(`decode: id ${id} is not in [0, ${vocab.length - 1}]`);
    return w;
  });
}

/** A tokenised text with its vocabulary and ids. */
export interface Corpus {
  readonly tokens: string[];
  readonly vocab: string[];
  readonly ids: number[];
}

/** tokenize → buildVocab → encode in one call. */
export function corpus(text: string): Corpus {
  const tokens = tokenize(text);
  const vocab = buildVocab(tokens);
  return { tokens, vocab, ids: encode(tokens, vocab) };
}

/**
 * Cuts a token stream into sentences, each ending with its `end` token (default "."). A
 * trailing piece without an end token is kept as the last sentence.
 */
export function splitSentences(tokens: readonly string[], end = "."): string[][] {
  const sentences: string[][] = [];
  let current: string[] = [];
  for (const w of tokens) {
    current.push(w);
    if (w === end) {
      sentences.push(current);
      current = [];
    }
  }
  if (current.length > 0) sentences.push(current);
  return sentences;
}

/**
 * One-hot vectors: `ids` of shape S (nested arrays of integers) → a tensor of shape S + (numClasses,)
 * with a 1 at each id, like `F.one_hot(ids, numClasses).float()`. Every other entry is 0, so two
 * different tokens' vectors share nothing: their dot product is 0.
 */
export function oneHot(ids: NestedArray, numClasses: number, opts: { dtype?: DType } = {}): Tensor {
  const idTensor = tensor(ids, { dtype: "float64" }); // checks the nesting is rectangular
  const data = new Float64Array(idTensor.size * numClasses);
  idTensor.data.forEach((id, k) => {
    if (!Number.isInteger(id) || id < 0 || id >= numClasses) {
      throw new RangeError(`oneHot: id ${id} at flat position ${k} is not in [0, ${numClasses - 1}]`);
    }
    data[k * numClasses + id] = 1;
  });
  return tensor(data, { shape: [...idTensor.shape, numClasses], dtype: opts.dtype ?? "float32" });
}

/**
 * Next-token training data from sentences of ids: inputs are every token but the last, targets
 * every token but the first. Shorter sentences are padded at the end: inputs with zero vectors,
 * targets with −100, the id `crossEntropy` ignores. Returns x (B, T, V) one-hot (batch-first),
 * y (B, T) and each sentence's real length (for the recurrent layers' `lengths`).
 */
export function nextTokenData(
  sentences: readonly (readonly number[])[],
  vocabSize: number,
  opts: { dtype?: DType } = {},
): { x: Tensor; y: Tensor; lengths: number[] } {
  if (sentences.some((s) => s.length < 2)) throw new RangeError("nextTokenData: every sentence needs at least 2 tokens (an input and a target)");
  const lengths = sentences.map((s) => s.length - 1);
  const T = Math.max(...lengths);
  const x = oneHot(sentences.map((s) => Array.from({ length: T }, (_, t) => (t < s.length - 1 ? s[t]! : 0))), vocabSize, opts);
  for (let b = 0; b < sentences.length; b++) {
    for (let t = lengths[b]!; t < T; t++) x.data.fill(0, (b * T + t) * vocabSize, (b * T + t + 1) * vocabSize);
  }
  const y = tensor(sentences.map((s) => Array.from({ length: T }, (_, t) => (t < s.length - 1 ? s[t + 1]! : -100))), { dtype: "float64" });
  return { x, y, lengths };
}
