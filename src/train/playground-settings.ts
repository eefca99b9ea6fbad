/**
 * The memory playground's settings, declared once: each hyperparameter's label, what it does,
 * the values on offer and the default. `Experiment` (experiment.ts, beside this file) trains by
 * them; the playground's controls, its payload's validator (plot/schema/playground.ts) and the
 * notebook's `plot.playground({...})` all read this one table. Plain data, no dependencies
 * beyond the schema's JSON checks, so the extension bundles it too.
 */
import { isObject, type Json } from "../plot/schema/common.js";

interface Param<V extends string | number> {
  readonly label: string;
  /** For table headers and legends. */
  readonly short: string;
  /** One sentence for the control's tooltip. */
  readonly help: string;
  readonly choices: readonly V[];
  readonly default: V;
}

export const PLAYGROUND_PARAMS = {
  cell: {
    label: "cell",
    short: "cell",
    help: "The recurrent layer: a vanilla RNN (tanh), an LSTM or a GRU.",
    choices: ["rnn", "lstm", "gru"],
    default: "lstm",
  },
  lag: {
    label: "remember k steps back",
    short: "k",
    help: "The task: read random tokens, then name the one seen k steps before the last. Chance is 1 in 4.",
    choices: [1, 2, 5, 10, 15, 20, 30],
    default: 5,
  },
  hiddenSize: {
    label: "hidden size",
    short: "H",
    help: "Units in the hidden state h_t.",
    choices: [4, 8, 16, 32, 64, 128],
    default: 16,
  },
  lr: {
    label: "learning rate",
    short: "lr",
    help: "Adam's step size.",
    choices: [0.001, 0.003, 0.01, 0.03, 0.1],
    default: 0.01,
  },
  batchSize: {
    label: "batch size",
    short: "batch",
    help: "Sequences per training step, drawn at random from 512.",
    choices: [16, 32, 64, 128],
    default: 64,
  },
  steps: {
    label: "training steps",
    short: "steps",
    help: "How many Adam updates the run makes.",
    choices: [50, 100, 200, 300, 500, 1000],
    default: 200,
  },
  clip: {
    label: "clip gradient norm",
    short: "clip",
    help: "Rescale the gradients whenever their global norm exceeds this (off: never).",
    choices: ["off", 0.5, 1, 5],
    default: "off",
  },
  seed: {
    label: "seed",
    short: "seed",
    help: "Seeds the data, the initial weights and the batches: the same settings give the same run.",
    choices: [0, 1, 2, 3, 4],
    default: 0,
  },
  backend: {
    label: "kernels",
    short: "kernels",
    help: "auto: WebAssembly SIMD for products big enough to gain, TypeScript for the rest; or force one.",
    choices: ["auto", "wasm", "js"],
    default: "auto",
  },
} as const satisfies Record<string, Param<string | number>>;

export type PlaygroundParam = keyof typeof PLAYGROUND_PARAMS;
export const PLAYGROUND_PARAM_NAMES = Object.keys(PLAYGROUND_PARAMS) as PlaygroundParam[];

/** One value per hyperparameter, each one of its choices. Plain JSON: it travels in the payload. */
export type PlaygroundState = { -readonly [K in PlaygroundParam]: (typeof PLAYGROUND_PARAMS)[K]["choices"][number] };

export function defaultPlaygroundState(): PlaygroundState {
  const entries = PLAYGROUND_PARAM_NAMES.map((k) => [k, PLAYGROUND_PARAMS[k].default]);
  return Object.fromEntries(entries) as PlaygroundState;
}

/** Checks that `state` has every hyperparameter, each set to one of its choices, and nothing else. */
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
    const choices = PLAYGROUND_PARAMS[key].choices as readonly (string | number)[];
    const value = state[key];
    if (!choices.includes(value as string | number)) {
      errors.push(`${where}.${key} must be one of ${choices.map((c) => JSON.stringify(c)).join(", ")}; got ${JSON.stringify(value)?.slice(0, 40) ?? "nothing"}`);
    }
  }
  return errors.length === before;
}
