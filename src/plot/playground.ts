/**
 * The memory playground: controls for every setting of the recall experiment, a Train button,
 * and loss and accuracy curves that grow while the model trains in the page (with the seqlab
 * JupyterLab extension, on seqlab's WebAssembly kernels when it can). Each run stays on the
 * chart with its settings, so runs can be compared: RNN against LSTM at k = 10, or one
 * learning rate against another.
 *
 *   plot.playground({ cell: "rnn", lag: 10 });
 *
 * The same run in the kernel: `await Experiment.create({ cell: "rnn", lag: 10 })`.
 */
import { emit, textTable } from "./emit.js";
import { label } from "./sample.js";
import { checkPlaygroundState, defaultPlaygroundState, PLAYGROUND_PARAM_NAMES, PLAYGROUND_PARAMS, type PlaygroundPlot, type PlaygroundState } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, note } from "./svg.js";

export interface PlaygroundOptions extends ShowOptions {
  title?: string;
}

const WHERE = "Train runs in the page with the seqlab JupyterLab extension (npm start).";

/** Builds (and, in a notebook, shows) the playground, its controls starting at `settings` (the rest at their defaults). */
export function playground(settings: Partial<PlaygroundState> = {}, opts: PlaygroundOptions = {}): PlaygroundPlot {
  const who = "plot.playground";
  const state = { ...defaultPlaygroundState(), ...settings };
  const errors: string[] = [];
  if (!checkPlaygroundState(state, errors, "settings")) throw new RangeError(`${who}: ${errors.join("; ")}`);
  const payload: PlaygroundPlot = {
    version: 1,
    kind: "playground",
    title: opts.title !== undefined ? label(opts.title) : "Memory playground: how many steps back can the cell remember?",
    note: "",
    state,
  };
  const summary = `[seqlab plot: memory playground, ${state.cell.toUpperCase()} at k = ${state.lag}]`;
  return emit(who, payload, { text: playgroundText(payload), svg: playgroundSvg(payload) }, opts, summary);
}

const settingRows = (state: PlaygroundState): string[][] => PLAYGROUND_PARAM_NAMES.map((k) => [PLAYGROUND_PARAMS[k].label, String(state[k])]);

/** The text view: the settings, and where training happens. */
export function playgroundText(p: PlaygroundPlot): string {
  return `${p.title}\n${textTable(["setting", "value"], settingRows(p.state))}\n${WHERE}`;
}

/** The static picture: the settings as lines of text. */
export function playgroundSvg(p: PlaygroundPlot): string {
  const lines = settingRows(p.state).map(([name, value]) => note(`${name}: ${value}`, 980));
  return figure(p.title, [...lines, note(WHERE, 980)], { maxWidth: 1000 });
}
