/**
 * Seeded toy tasks that test memory, each returning tensors ready for the models: inputs x as
 * one-hot vectors, batch-first (n, T, inputSize), and class-id targets y, either one per
 * sequence (n,) or one per step (n, T) with −100 (ignored by `crossEntropy`) where there is
 * nothing to predict. The same `seed` always gives the same data, whatever else has run.
 */
import { Generator } from "../random.js";
import { tensor, type Tensor } from "../tensor.js";
import { oneHot } from "./corpus.js";

/** A generated data set. */
export interface SequenceTask {
  /** Inputs, one-hot and batch-first: (n, T, inputSize). */
  readonly x: Tensor;
  /** Class-id targets: (n,) for one label per sequence, (n, T) for one per step (−100 = none). */
  readonly y: Tensor;
  /** The input token ids, (n, T), for printing examples. */
  readonly tokens: number[][];
  /** The name of each input token (index = id). */
  readonly vocab: string[];
  /** The name of each class (index = class id). */
  readonly classes: string[];
  /** x's last dimension: the number of distinct input tokens. */
  readonly inputSize: number;
  readonly numClasses: number;
  /** The accuracy of guessing the most frequent class blindly, for comparison. */
  readonly chance: number;
}

/** Options every task takes. */
export interface TaskOptions {
  /** How many sequences (default 256). */
  n?: number;
  /** Seed of the task's own generator (default 0). */
  seed?: number;
}

const letters = (k: number): string[] => Array.from({ length: k }, (_, i) => String.fromCharCode(97 + i));

function checkInt(where: string, name: string, v: number, min: number): void {
  if (!Number.isInteger(v) || v < min) throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
}

function build(
  tokens: number[][], labels: number[] | number[][], vocab: string[], classes: string[],
): SequenceTask {
  const flat = (labels as (number | number[])[]).flat().filter((c) => c >= 0);
  const counts = classes.map((_, c) => flat.filter((v) => v === c).length);
  return {
    x: oneHot(tokens, vocab.length),
    y: tensor(labels, { dtype: "float64" }),
    tokens,
    vocab,
    classes,
    inputSize: vocab.length,
    numClasses: classes.length,
    chance: Math.max(...counts) / Math.max(1, flat.length),
  };
}

/** Options of `recallTask`. */
export interface RecallTaskOptions extends TaskOptions {
  /** How many steps back the answer lies: the target is the token seen `lag` steps before the last one. */
  lag: number;
  /** Sequence length (default lag + 1: the answer is the very first token). */
  length?: number;
  /** How many different tokens (default 4; chance accuracy is 1/vocab). */
  vocab?: number;
}

/**
 * Recall the token seen k steps ago: a sequence of uniformly random tokens; after reading all of
 * it the model must name the token at position T − 1 − k. Every token is equally likely and
 * nothing later hints at the answer, so the only way to be right more often than 1/vocab is to
 * have kept that token in the state for k steps: accuracy against k measures memory span.
 * Targets: one per sequence, (n,).
 */
export function recallTask(opts: RecallTaskOptions): SequenceTask {
  const { lag, n = 256, seed = 0, vocab = 4 } = opts;
  const length = opts.length ?? lag + 1;
  checkInt("recallTask", "lag", lag, 0);
  checkInt("recallTask", "vocab", vocab, 2);
  if (!Number.isInteger(length) || length < lag + 1) throw new RangeError(`recallTask: length must be an integer ≥ lag + 1 = ${lag + 1}, got ${length}`);
  const gen = new Generator(seed);
  const tokens = Array.from({ length: n }, () => Array.from({ length }, () => gen.randint(vocab)));
  const names = letters(vocab);
  return build(tokens, tokens.map((s) => s[length - 1 - lag]!), names, names);
}

/** Options of `longRangeTask`. */
export interface LongRangeTaskOptions extends TaskOptions {
  /** How many distractor tokens follow the first token (the gap the memory must bridge). */
  distractors: number;
  /** How many different tokens, = classes (default 4). */
  numClasses?: number;
}

/**
 * Remember the first token: a random token followed by `distractors` random tokens drawn from
 * the same set; the label is the first token (it is `recallTask` with lag = distractors).
 * Because the distractors look like the signal, every step pushes the state around and the
 * first token survives only if the model actively protects it; the gradient that would teach
 * it to do so has to travel back through every distractor step. Measured with hidden size 16,
 * Adam (lr 0.01), 300 steps of 64 sequences, 20 distractors, on notebook 05's data seeds: a
 * vanilla RNN reaches ≈ 0.5, an LSTM and a GRU 1.0 (at 30 only the GRU gets there in 300
 * steps). The seed matters as much as the cell near these gaps: notebook 03's playground sweep
 * runs every cell with four seeds. A separate distractor
 * alphabet would make it easy for the RNN: it can latch onto the one step that differs.
 * Targets: (n,).
 */
export function longRangeTask(opts: LongRangeTaskOptions): SequenceTask {
  const { distractors, numClasses = 4, ...rest } = opts;
  return recallTask({ ...rest, lag: distractors, vocab: numClasses });
}

/** A tagging data set: per-step targets, plus the targets of the entity positions alone. */
export interface TaggingTask extends SequenceTask {
  /** (n, T): the label at name positions, −100 elsewhere (the accuracy that needs the future). */
  readonly yEntities: Tensor;
}

/** Options of `taggingTask`. */
export interface TaggingTaskOptions extends TaskOptions {
  /** Sequence length (default 8). */
  length?: number;
  /** How many name + cue pairs per sequence (default 1). */
  entities?: number;
}

const TAG_NAMES = ["Jordan", "Georgia", "Paris", "Florence"];
const TAG_PERSON_CUES = ["said", "smiled"];
const TAG_PLACE_CUES = ["borders", "exports"];
const TAG_FILLERS = ["the", "today", "then", "and", "so"];

/**
 * A toy named-entity tagger where a token's label depends on what comes AFTER it. Each name
 * ("Jordan", "Georgia", "Paris", "Florence") can be a person or a place; only the next word
 * tells: "Jordan said" → PER, "Jordan borders" → LOC. Every other token is O. A left-to-right
 * RNN must label the name before it has read the cue, so on names it can only guess (≈ 50 %);
 * a bidirectional RNN reads the cue from the right. Classes O, PER, LOC; targets (n, T).
 */
export function taggingTask(opts: TaggingTaskOptions = {}): TaggingTask {
  const { n = 256, seed = 0, length = 8, entities = 1 } = opts;
  checkInt("taggingTask", "entities", entities, 1);
  if (!Number.isInteger(length) || length < 2 * entities) throw new RangeError(`taggingTask: length must be ≥ 2·entities = ${2 * entities}, got ${length}`);
  const vocab = [...TAG_NAMES, ...TAG_PERSON_CUES, ...TAG_PLACE_CUES, ...TAG_FILLERS];
  const id = (w: string): number => vocab.indexOf(w);
  const gen = new Generator(seed);
  const pick = (list: readonly string[]): number => id(list[gen.randint(list.length)]!);
  const tokens: number[][] = [];
  const labels: number[][] = [];
  const entityLabels: number[][] = [];
  for (let s = 0; s < n; s++) {
    const seq = Array.from({ length }, () => pick(TAG_FILLERS));
    const tags = new Array<number>(length).fill(0);
    const ent = new Array<number>(length).fill(-100);
    // Name + cue pairs go into distinct slots of two, so they never overlap.
    const slots = Array.from({ length: Math.floor(length / 2) }, (_, k) => k);
    const shift = length % 2 === 1 ? gen.randint(2) : 0;
    for (let e = 0; e < entities; e++) {
      const t = 2 * slots.splice(gen.randint(slots.length), 1)[0]! + shift;
      const person = gen.randint(2) === 0;
      seq[t] = pick(TAG_NAMES);
      seq[t + 1] = pick(person ? TAG_PERSON_CUES : TAG_PLACE_CUES);
      tags[t] = ent[t] = person ? 1 : 2;
    }
    tokens.push(seq);
    labels.push(tags);
    entityLabels.push(ent);
  }
  return { ...build(tokens, labels, vocab, ["O", "PER", "LOC"]), yEntities: tensor(entityLabels, { dtype: "float64" }) };
}

/** Options of `sentimentTask`. */
export interface SentimentTaskOptions extends TaskOptions {
  /** Sequence length (default 12). */
  length?: number;
}

const SENT_POSITIVE = ["good", "great", "fun"];
const SENT_NEGATIVE = ["bad", "dull", "awful"];
const SENT_FILLERS = ["the", "film", "was", "plot", "and", "it", "really"];

/**
 * Sentiment with a late negation: a sentiment word ("good", "awful", …) among the first three
 * tokens, fillers, and in half of the sequences a final "not" that flips the label
 * ("the film was great … really not" is negative). The label needs both ends at once. Read left
 * to right, the polarity must be carried across the whole sequence; a bidirectional RNN has
 * each piece fresh in one direction (the negation in the forward state at the end, the
 * polarity in the backward state at the start). Classes negative, positive; targets (n,).
 */
export function sentimentTask(opts: SentimentTaskOptions = {}): SequenceTask {
  const { n = 256, seed = 0, length = 12 } = opts;
  if (!Number.isInteger(length) || length < 4) throw new RangeError(`sentimentTask: length must be an integer ≥ 4, got ${length}`);
  const vocab = [...SENT_POSITIVE, ...SENT_NEGATIVE, ...SENT_FILLERS, "not"];
  const id = (w: string): number => vocab.indexOf(w);
  const gen = new Generator(seed);
  const pick = (list: readonly string[]): number => id(list[gen.randint(list.length)]!);
  const labels: number[] = [];
  const tokens = Array.from({ length: n }, () => {
    const seq = Array.from({ length }, () => pick(SENT_FILLERS));
    const positive = gen.randint(2) === 0;
    seq[gen.randint(3)] = pick(positive ? SENT_POSITIVE : SENT_NEGATIVE);
    const negated = gen.randint(2) === 0;
    if (negated) seq[length - 1] = id("not");
    labels.push(positive !== negated ? 1 : 0);
    return seq;
  });
  return build(tokens, labels, vocab, ["negative", "positive"]);
}
