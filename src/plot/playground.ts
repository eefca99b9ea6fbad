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
 *
 * The extension writes finished runs back into the output (`playgroundBundle`), so they are
 * saved with the notebook and shown again when it is reopened.
 */
import { withHtmlPicture, type MimeBundle } from "./display.js";
import { bucketBounds, bucketMeans } from "./downsample.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { label } from "./sample.js";
import {
  checkPlaygroundState, defaultPlaygroundState, MIME_TYPE, PLAYGROUND_MAX_POINTS, PLAYGROUND_MAX_RUNS, PLAYGROUND_PARAM_NAMES, PLAYGROUND_PARAMS,
  PLAYGROUND_RUNS_VERSION, validatePlot, type PlaygroundPlot, type PlaygroundRun, type PlaygroundState,
} from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, note } from "./svg.js";

export interface PlaygroundOptions extends ShowOptions {
  title?: string;
}

const WHERE = "Train runs in the page, in a background worker, with the seqlab JupyterLab extension (npm start); finished runs are kept in this output and saved with the notebook.";

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

/** The columns of the runs table, in the page and in the text view. */
export const PLAYGROUND_RUN_COLUMNS: readonly string[] = [
  "run", ...PLAYGROUND_PARAM_NAMES.map((k) => PLAYGROUND_PARAMS[k].short), "final loss", "test accuracy", "ms / step", "ran on", "ended",
];

/** How a run ended, in words ("" when it took all its steps). */
export function playgroundEndedText(run: PlaygroundRun): string {
  if (run.ended === "stopped") return `stopped by you at step ${run.stepsTaken}`;
  if (run.ended === "failed") return `failed at step ${run.stepsTaken + 1}`;
  return "";
}

/** One run's cells under PLAYGROUND_RUN_COLUMNS. */
export function playgroundRunCells(run: PlaygroundRun): string[] {
  return [
    `#${run.id}`, ...PLAYGROUND_PARAM_NAMES.map((k) => String(run.state[k])),
    fmtOrGap(run.finalLoss), fmtOrGap(run.testAccuracy), fmtOrGap(run.msPerStep), run.kernels, playgroundEndedText(run),
  ];
}

const runList = (p: PlaygroundPlot): PlaygroundRun[] => p.runs?.list ?? [];

/** The text view: the settings, where training happens, and the runs kept so far. */
export function playgroundText(p: PlaygroundPlot): string {
  const runs = runList(p);
  const table = runs.length ? `\n${runs.length} run${runs.length === 1 ? "" : "s"} kept:\n${textTable(PLAYGROUND_RUN_COLUMNS, runs.map(playgroundRunCells))}` : "";
  return `${p.title}\n${textTable(["setting", "value"], settingRows(p.state))}\n${WHERE}${table}`;
}

/** The static picture: the settings as lines of text, and a line per kept run. */
export function playgroundSvg(p: PlaygroundPlot): string {
  const lines = settingRows(p.state).map(([name, value]) => note(`${name}: ${value}`, 980));
  const runs = runList(p).map((run) => {
    const [id, ...cells] = playgroundRunCells(run);
    return note(`${id}: ${PLAYGROUND_RUN_COLUMNS.slice(1).map((c, k) => `${c} ${cells[k] || "—"}`).join(", ")}`, 980);
  });
  return figure(p.title, [...lines, note(WHERE, 980), ...runs], { maxWidth: 1000 });
}

/**
 * A run as the notebook keeps it: its curves averaged down to PLAYGROUND_MAX_POINTS points
 * (each point the mean of a bucket of consecutive steps, at the bucket's last step), so that a
 * saved notebook stays small whatever the runs' lengths.
 */
export function keptPlaygroundRun(run: PlaygroundRun): PlaygroundRun {
  const { steps, loss, accuracy } = run.curve;
  if (steps.length <= PLAYGROUND_MAX_POINTS) return { ...run, curve: { steps: [...steps], loss: [...loss], accuracy: [...accuracy] } };
  const ends = bucketBounds(steps.length, PLAYGROUND_MAX_POINTS).slice(1).map((end) => steps[end - 1]!);
  return { ...run, curve: { steps: ends, loss: bucketMeans(loss, PLAYGROUND_MAX_POINTS), accuracy: bucketMeans(accuracy, PLAYGROUND_MAX_POINTS) } };
}

/**
 * The output's whole bundle with `runs` kept in the payload (the newest PLAYGROUND_MAX_RUNS,
 * each bounded by keptPlaygroundRun) and every view made again, so the text, the picture and
 * the HTML export all list them. The payload goes as a JSON string, as tslab sends it: the
 * notebook's shared model then holds one string, not thousands of array items.
 */
export function playgroundBundle(p: PlaygroundPlot, runs: readonly PlaygroundRun[]): MimeBundle {
  const payload: PlaygroundPlot = { ...p, runs: { version: PLAYGROUND_RUNS_VERSION, list: runs.slice(-PLAYGROUND_MAX_RUNS).map(keptPlaygroundRun) } };
  // Through JSON first, as the notebook will hold it (NaN and ±Inf become null, gaps).
  const check = validatePlot(JSON.parse(JSON.stringify(payload)));
  if (!check.ok) throw new Error(`plot.playgroundBundle: the runs cannot be kept: ${check.errors.join("; ")}`);
  const kept = check.value as PlaygroundPlot;
  return withHtmlPicture({ [MIME_TYPE]: JSON.stringify(kept), "text/plain": playgroundText(kept), "image/svg+xml": playgroundSvg(kept) });
}
