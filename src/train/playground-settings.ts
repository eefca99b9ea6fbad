/**
 * The playground's settings, declared once: each setting's label, what it does, the values on
 * offer, the default, and which tasks and cells it applies to. `Experiment` (experiment.ts)
 * builds the data and the model from them, `experimentCode` (playground-code.ts) writes them out
 * as a notebook cell; the playground's controls, its payload's validator
 * (plot/schema/playground.ts) and the notebook's `plot.playground({...})` all read this one
 * table. Plain data, no dependencies beyond the schema's JSON checks, so the extension bundles
 * it too. The model settings carry the library's option names (`nonlinearity`, `numLayers`,
 * `resetPosition`, …) with the library's defaults.
 */
import { isObject, type Json } from "../plot/schema/common.js";

export const PLAYGROUND_TASKS = ["recall", "longRange", "tagging", "sentiment", "nextWord", "text"] as const;
export type PlaygroundTask = (typeof PLAYGROUND_TASKS)[number];
export const PLAYGROUND_CELLS = ["feedforward", "rnn", "lstm", "gru"] as const;
export type PlaygroundCell = (typeof PLAYGROUND_CELLS)[number];
const RECURRENT: readonly PlaygroundCell[] = ["rnn", "lstm", "gru"];

/** The lecture's corpus (next-word task). */
export const LECTURE_TEXT = "I like pizza. I like cake.";

/** One line per task: what it asks of the model, and what it shows. */
export const PLAYGROUND_TASK_ABOUT: Readonly<Record<PlaygroundTask, string>> = {
  recall: "Recall: read k + 1 random tokens (a–d), then name the first one; only a state that kept it for k steps beats chance (about 1 in 4).",
  longRange: "Long range: the recall task with k = d over long gaps: a first token, then d distractors from the same four letters; name the first.",
  tagging: "Tagging: label each word O, PER or LOC; a name's label depends on the word AFTER it (\"Jordan said\" vs \"Jordan borders\").",
  sentiment: "Sentiment with a late negation: a sentiment word among the first three tokens, and in about half the sequences (at random) a final \"not\" that flips it.",
  nextWord: `Next word on the lecture's corpus "${LECTURE_TEXT}": after "I like", pizza and cake are equally likely; scored on the same two sentences.`,
  text: "Next token on your text: each piece ending in \".\" is a sequence, and the model predicts each next word or \".\"; scored on the same sentences, too few to hold any out.",
};

/** Which runs a setting means something for; absent: every run. */
interface AppliesTo {
  readonly task?: readonly PlaygroundTask[];
  readonly cell?: readonly PlaygroundCell[];
}

interface Described {
  readonly label: string;
  /** For table headers and legends. */
  readonly short: string;
  /** One sentence for the control's tooltip. */
  readonly help: string;
  readonly appliesTo?: AppliesTo;
  /** What the settings table groups it under. */
  readonly group: "data" | "model" | "training";
}

interface ChoiceParam<V extends string | number | boolean> extends Described {
  readonly choices: readonly V[];
  readonly default: V;
}

/** A free text (the user's own corpus): any string of at most `maxLength` characters. */
interface TextParam extends Described {
  readonly kind: "text";
  readonly maxLength: number;
  readonly default: string;
}

/** The pasted text's limit: enough for a paragraph or two, small enough to train in seconds. */
export const PLAYGROUND_TEXT_MAX = 2000;

export const PLAYGROUND_PARAMS = {
  task: {
    label: "task",
    short: "task",
    help: "What the model must learn; each task says what it tests under the controls.",
    choices: PLAYGROUND_TASKS,
    default: "recall",
    group: "data",
  },
  lag: {
    label: "remember k steps back",
    short: "k",
    help: "Recall: read k + 1 random tokens, then name the first, the one seen k steps before the last. Chance is about 1 in 4.",
    choices: [1, 2, 5, 10, 15, 20, 30],
    default: 5,
    appliesTo: { task: ["recall"] },
    group: "data",
  },
  distractors: {
    label: "distractors",
    short: "d",
    help: "Long range: the first token is followed by d random tokens from the same four; name the first (the recall task with k = d).",
    choices: [20, 30, 50, 100],
    default: 30,
    appliesTo: { task: ["longRange"] },
    group: "data",
  },
  text: {
    kind: "text",
    label: "your text",
    short: "text",
    help: `Any text of at most ${PLAYGROUND_TEXT_MAX} characters: the model learns to predict each next token (word or ".") of its sentences, the pieces that end in ".".`,
    maxLength: PLAYGROUND_TEXT_MAX,
    default: "The cat sat on the mat. The dog sat on the log. The cat saw the dog. The dog saw the cat.",
    appliesTo: { task: ["text"] },
    group: "data",
  },
  cell: {
    label: "model",
    short: "model",
    help: "A feedforward net on a fixed window of tokens, or a recurrent layer: a vanilla RNN, an LSTM or a GRU, with a Linear head.",
    choices: PLAYGROUND_CELLS,
    default: "lstm",
    group: "model",
  },
  window: {
    label: "window (tokens)",
    short: "W",
    help: "The feedforward net sees only the last W tokens (up to the one it predicts for), each through its own weights.",
    choices: [1, 2, 3, 5, 8],
    default: 3,
    appliesTo: { cell: ["feedforward"] },
    group: "model",
  },
  nonlinearity: {
    label: "nonlinearity",
    short: "f",
    help: "The RNN's f in h_t = f(W_x x_t + W_h h_{t−1} + b): tanh (bounded) or relu (unbounded, can explode).",
    choices: ["tanh", "relu"],
    default: "tanh",
    appliesTo: { cell: ["rnn"] },
    group: "model",
  },
  forgetBias: {
    label: "forget-gate bias",
    short: "b_f",
    help: "pytorch: nn.LSTM's uniform initialisation; a number sets the forget gate's bias b_f, so f starts near σ(b_f): 0.5 for 0, 0.73 for 1, 0.88 for 2, keeping more of c_t the larger it is.",
    choices: ["pytorch", 0, 1, 2],
    default: "pytorch",
    appliesTo: { cell: ["lstm"] },
    group: "model",
  },
  resetPosition: {
    label: "reset gate",
    short: "reset",
    help: "after: PyTorch's GRU, r scales (W_hn h + b_hn); before: the textbook's (the lecture's), r scales h before W_hn.",
    choices: ["after", "before"],
    default: "after",
    appliesTo: { cell: ["gru"] },
    group: "model",
  },
  updateConvention: {
    label: "update gate",
    short: "z",
    help: "pytorch: h_t = (1 − z) ⊙ n + z ⊙ h_{t−1} (z keeps the old state); textbook (the lecture's): h_t = (1 − z) ⊙ h_{t−1} + z ⊙ n.",
    choices: ["pytorch", "textbook"],
    default: "pytorch",
    appliesTo: { cell: ["gru"] },
    group: "model",
  },
  bidirectional: {
    label: "bidirectional",
    short: "bi",
    help: "A second RNN in each layer reads the sequence right to left; the head sees both directions.",
    choices: [false, true],
    default: false,
    appliesTo: { cell: RECURRENT },
    group: "model",
  },
  numLayers: {
    label: "layers",
    short: "L",
    help: "Recurrent layers stacked: the second reads the first's h_t.",
    choices: [1, 2],
    default: 1,
    appliesTo: { cell: RECURRENT },
    group: "model",
  },
  hiddenSize: {
    label: "hidden size",
    short: "H",
    help: "Units in the hidden state h_t (the feedforward net's hidden layer).",
    choices: [4, 8, 16, 32, 64, 128],
    default: 16,
    group: "model",
  },
  lr: {
    label: "learning rate",
    short: "lr",
    help: "Adam's step size.",
    choices: [0.001, 0.003, 0.01, 0.03, 0.1],
    default: 0.01,
    group: "training",
  },
  batchSize: {
    label: "batch size",
    short: "batch",
    help: "Sequences per training step, drawn at random from the training set (512 sequences, or the text's sentences).",
    choices: [16, 32, 64, 128],
    default: 64,
    group: "training",
  },
  steps: {
    label: "training steps",
    short: "steps",
    help: "How many Adam updates the run makes.",
    choices: [20, 50, 100, 200, 300, 500, 1000],
    default: 200,
    group: "training",
  },
  clip: {
    label: "clip gradient norm",
    short: "clip",
    help: "Rescale the gradients whenever their global norm exceeds this (off: never).",
    choices: ["off", 0.5, 1, 5],
    default: "off",
    group: "training",
  },
  seed: {
    label: "seed",
    short: "seed",
    help: "Seeds the data, the initial weights and the batches: the same settings give the same run.",
    choices: [0, 1, 2, 3, 4],
    default: 0,
    group: "training",
  },
  backend: {
    label: "kernels",
    short: "kernels",
    help: "auto: WebAssembly SIMD for products big enough to gain, TypeScript for the rest; or force one.",
    choices: ["auto", "wasm", "js"],
    default: "auto",
    group: "training",
  },
} as const satisfies Record<string, ChoiceParam<string | number | boolean> | TextParam>;

export type PlaygroundParam = keyof typeof PLAYGROUND_PARAMS;
export const PLAYGROUND_PARAM_NAMES = Object.keys(PLAYGROUND_PARAMS) as PlaygroundParam[];
/** The settings chosen from a list (every one but the text). */
export type PlaygroundChoiceParam = { [K in PlaygroundParam]: (typeof PLAYGROUND_PARAMS)[K] extends { choices: readonly unknown[] } ? K : never }[PlaygroundParam];
export const PLAYGROUND_CHOICE_NAMES = PLAYGROUND_PARAM_NAMES.filter((k): k is PlaygroundChoiceParam => "choices" in PLAYGROUND_PARAMS[k]);

type ValueOf<P> = P extends { choices: readonly (infer V)[] } ? V : string;
/** One value per setting, each one of its choices (the text: a string). Plain JSON: it travels in the payload. */
export type PlaygroundState = { -readonly [K in PlaygroundParam]: ValueOf<(typeof PLAYGROUND_PARAMS)[K]> };

/** The choices of a list setting, as plain values. */
export const choicesOf = (key: PlaygroundChoiceParam): readonly (string | number | boolean)[] => PLAYGROUND_PARAMS[key].choices;

export function defaultPlaygroundState(): PlaygroundState {
  const entries = PLAYGROUND_PARAM_NAMES.map((k) => [k, PLAYGROUND_PARAMS[k].default]);
  return Object.fromEntries(entries) as PlaygroundState;
}

/** Whether `key` means something for a run with these settings (the text only for the text task, forgetBias only for an LSTM, …). */
export function playgroundParamApplies(key: PlaygroundParam, state: Pick<PlaygroundState, "task" | "cell">): boolean {
  const applies: AppliesTo | undefined = (PLAYGROUND_PARAMS[key] as Described).appliesTo;
  return (!applies?.task || applies.task.includes(state.task)) && (!applies?.cell || applies.cell.includes(state.cell));
}

/** Checks that `state` has every setting, each set to one of its choices (the text: a string within its limit), and nothing else. */
export function checkPlaygroundState(state: Json, errors: string[], where = "state"): state is PlaygroundState {
  if (!isObject(state)) {
    errors.push(`${where} must be an object`);
    return false;
  }
  const before = errors.length;
  for (const key of Object.keys(state)) {
    if (!(PLAYGROUND_PARAM_NAMES as string[]).includes(key)) errors.push(`${where} has an unknown setting ${JSON.stringify(key.slice(0, 40))}; known: ${PLAYGROUND_PARAM_NAMES.join(", ")}`);
  }
  for (const key of PLAYGROUND_PARAM_NAMES) {
    const param = PLAYGROUND_PARAMS[key];
    const value = state[key];
    if ("kind" in param) {
      if (typeof value !== "string" || value.length > param.maxLength) {
        const got = typeof value === "string" ? `${value.length} characters` : JSON.stringify(value)?.slice(0, 40) ?? "nothing";
        errors.push(`${where}.${key} must be a string of at most ${param.maxLength} characters; got ${got}`);
      }
      continue;
    }
    const choices = param.choices as readonly (string | number | boolean)[];
    if (!choices.includes(value as string | number | boolean)) {
      errors.push(`${where}.${key} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}; got ${JSON.stringify(value)?.slice(0, 40) ?? "nothing"}`);
    }
  }
  return errors.length === before;
}

/** Throws a RangeError naming `who` and every setting that is wrong; the settings themselves otherwise. */
export function assertPlaygroundState(who: string, state: unknown): PlaygroundState {
  const errors: string[] = [];
  if (!checkPlaygroundState(state as Json, errors, "settings")) throw new RangeError(`${who}: ${errors.join("; ")}`);
  return state as PlaygroundState;
}
