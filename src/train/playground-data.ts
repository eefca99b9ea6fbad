/**
 * The playground's tasks as data: each task's training and test sets built from the settings,
 * with one line on what it tests and one example sequence in words. A feedforward model gets
 * the same sequences cut into fixed windows of the last W tokens (`windows`): it has no state,
 * so a window is all it can see.
 */
import { corpus, encode, nextTokenData, splitSentences } from "../data/corpus.js";
import { longRangeTask, recallTask, sentimentTask, taggingTask, type SequenceTask } from "../data/tasks.js";
import { fmtShape, ShapeError } from "../errors.js";
import { narrow } from "../ops/shape.js";
import { checkNumber } from "../options.js";
import { checkElements, tensor } from "../tensor.js";
import type { Dataset } from "./fit.js";
import { LECTURE_TEXT, type PlaygroundState, type PlaygroundTask } from "./playground-settings.js";

/** Sequences in each generated training set; the test set is as large, drawn with another seed. */
export const EXPERIMENT_SEQUENCES = 512;
/** The test set's seed is the run's seed plus this. */
export const TEST_SEED_OFFSET = 1000;
export interface PlaygroundData {
  readonly train: Dataset;
  readonly test: Dataset;
  /** x's last dimension (one-hot inputs). */
  readonly inputSize: number;
  readonly numClasses: number;
  /** One label per step (tagging, next word) rather than one per sequence. */
  readonly perStep: boolean;
  /** Test accuracy of always guessing the most frequent class. */
  readonly chance: number;
  /** The first test sequence in words, and its target(s) in words ("" where nothing is scored). */
  readonly example: { tokens: string[]; targets: string[] };
  /** The first test sequence as the recurrent model reads it, (1, T, inputSize), and its targets (1,) or (1, T). */
  readonly probe: Dataset;
}

function taskData(state: PlaygroundState, seed: number): SequenceTask {
  const n = EXPERIMENT_SEQUENCES;
  switch (state.task) {
    case "recall": return recallTask({ lag: state.lag, n, seed });
    case "longRange": return longRangeTask({ distractors: state.distractors, n, seed });
    case "tagging": return taggingTask({ n, seed });
    case "sentiment": return sentimentTask({ n, seed });
    case "nextWord": return textData(LECTURE_TEXT, "nextWord");
    case "text": return textData(state.text, "text");
  }
}

/** Next-word data from a text's sentences, with the shape of a generated task. */
function textData(text: string, task: PlaygroundTask): SequenceTask {
  const { tokens, vocab } = corpus(text);
  const sentences = splitSentences(tokens).filter((s) => s.length >= 2);
  if (sentences.length === 0) {
    throw new RangeError(`playground, task "${task}": the text needs a sentence of at least two tokens (words or punctuation: an input and a next token to predict); got ${JSON.stringify(text.slice(0, 60))}${text.length > 60 ? "…" : ""}`);
  }
  const ids = sentences.map((s) => encode(s, vocab));
  const { x, y } = nextTokenData(ids, vocab.length);
  const T = x.shape[1]!;
  const targets = ids.flatMap((s) => s.slice(1));
  const counts = vocab.map((_, c) => targets.filter((t) => t === c).length);
  return {
    x, y, vocab, classes: vocab, inputSize: vocab.length, numClasses: vocab.length,
    tokens: ids.map((s) => Array.from({ length: T }, (_, t) => s[t] ?? 0)),
    chance: Math.max(...counts) / targets.length,
  };
}

/**
 * What a feedforward net on a window sees: the W tokens up to each scored position, zero
 * vectors before the start. x (N, T, V) → (M, W, V), one row per target: with one label per
 * sequence, y (N,), its last W tokens; with one per step, y (N, T), the W tokens up to every
 * step that has a target (−100 steps are dropped). Feed the result to `WindowClassifier`.
 */
export function windows(data: Dataset, window: number): Dataset {
  const who = "windows";
  checkNumber(who, "window", window, { min: 1, integer: true });
  if (data.x.ndim !== 3) throw new ShapeError(`${who}: expected x of shape (N, T, V), got ${fmtShape(data.x.shape)}`);
  const [N, T, V] = data.x.shape as [number, number, number];
  const perStep = data.y.ndim === 2;
  const targetShape = perStep ? [N, T] : [N];
  if (data.y.shape.length !== targetShape.length || data.y.shape.some((d, k) => d !== targetShape[k])) {
    throw new ShapeError(`${who}: x ${fmtShape(data.x.shape)} needs targets of shape (${N},) or (${N}, ${T}), got ${fmtShape(data.y.shape)}`);
  }
  const rows: { n: number; t: number; target: number }[] = [];
  for (let n = 0; n < N; n++) {
    if (!perStep) rows.push({ n, t: T - 1, target: data.y.data[n]! });
    else for (let t = 0; t < T; t++) if (data.y.data[n * T + t]! !== -100) rows.push({ n, t, target: data.y.data[n * T + t]! });
  }
  checkElements(`${who}: ${rows.length} windows of ${window} × ${V}`, rows.length * window * V, data.x.dtype);
  const out = data.x.dtype === "float64" ? new Float64Array(rows.length * window * V) : new Float32Array(rows.length * window * V);
  rows.forEach(({ n, t }, m) => {
    for (let w = 0; w < window; w++) {
      const source = t - (window - 1) + w;
      if (source >= 0) out.set(data.x.data.subarray((n * T + source) * V, (n * T + source + 1) * V), (m * window + w) * V);
    }
  });
  return { x: tensor(out, { shape: [rows.length, window, V], dtype: data.x.dtype }), y: tensor(rows.map((r) => r.target), { dtype: "float64" }) };
}

/** The training and test sets of the settings' task, shaped for the settings' model. */
export function playgroundData(state: PlaygroundState): PlaygroundData {
  const train = taskData(state, state.seed);
  // The text tasks have no generator to draw fresh sentences from: they are scored on their own.
  const heldOut = state.task !== "nextWord" && state.task !== "text";
  const test = heldOut ? taskData(state, state.seed + TEST_SEED_OFFSET) : train;
  const perStep = test.y.ndim === 2;
  // The first test sequence up to its last scored step (a padded sentence stops there).
  const T = test.x.shape[1]!;
  const scored = Array.from({ length: T }, (_, t) => t).filter((t) => !perStep || test.y.data[t] !== -100);
  const length = perStep ? scored.at(-1)! + 1 : T;
  const example = {
    tokens: test.tokens[0]!.slice(0, length).map((id) => test.vocab[id]!),
    targets: perStep ? Array.from({ length }, (_, t) => (test.y.data[t] === -100 ? "" : test.classes[test.y.data[t]!]!)) : [test.classes[test.y.data[0]!]!],
  };
  const probeX = narrow(narrow(test.x, 0, 0, 1), 1, 0, length);
  const probeY = perStep ? narrow(narrow(test.y, 0, 0, 1), 1, 0, length) : narrow(test.y, 0, 0, 1);
  const shaped = (d: Dataset): Dataset => (state.cell === "feedforward" ? windows(d, state.window) : d);
  return {
    train: shaped(train), test: shaped(test), inputSize: test.inputSize, numClasses: test.numClasses, perStep, chance: test.chance,
    example, probe: { x: probeX, y: probeY },
  };
}
