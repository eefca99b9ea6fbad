/**
 * The playground: a task (recall, long range, tagging, sentiment, next word on the lecture's
 * corpus or on the user's text), a model (feedforward window, RNN, LSTM, GRU, bidirectional,
 * stacked) and training settings, a Train button and a sweep over one or two settings, and
 * loss and accuracy curves that grow while the model trains in the page (with the seqlab
 * JupyterLab extension, on seqlab's WebAssembly kernels when it can). Each run stays on the
 * chart and in the runs table, where it can be looked inside and copied as code.
 *
 *   plot.playground({ cell: "rnn", lag: 10 });
 *   plot.playground({ task: "recall", lag: 20 }, { sweep: { params: ["cell", "hiddenSize"], values: [["rnn", "lstm"], [4, 16, 64]] } });
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
  assertPlaygroundState, assertPlaygroundSweep, defaultPlaygroundState, MIME_TYPE, PLAYGROUND_MAX_POINTS, PLAYGROUND_MAX_RUNS, PLAYGROUND_PARAM_NAMES,
  PLAYGROUND_PARAMS, PLAYGROUND_RUNS_VERSION, PLAYGROUND_TASK_ABOUT, playgroundParamApplies, validatePlot,
  type Json, type PlaygroundPlot, type PlaygroundRun, type PlaygroundState, type PlaygroundSweep,
} from "./schema.js";
import type { ShowOptions } from "./show.js";
import { figure, note } from "./svg.js";

export interface PlaygroundOptions extends ShowOptions {
  title?: string;
  /** Sets up the sweep controls: one or two settings and the values to try for each (a question to pose). */
  sweep?: PlaygroundSweep;
}

const WHERE = "Train and Sweep run in the page, in a background worker, with the seqlab JupyterLab extension (npm start); finished runs are kept in this output and saved with the notebook.";

/** Builds (and, in a notebook, shows) the playground, its controls starting at `settings` (the rest at their defaults). */
export function playground(settings: Partial<PlaygroundState> = {}, opts: PlaygroundOptions = {}): PlaygroundPlot {
  const who = "plot.playground";
  const state = { ...defaultPlaygroundState(), ...settings };
  assertPlaygroundState(who, state);
  if (opts.sweep !== undefined) assertPlaygroundSweep(who, opts.sweep);
  const payload: PlaygroundPlot = {
    version: 1,
    kind: "playground",
    title: opts.title !== undefined ? label(opts.title) : "Playground: pick a task and a model, train, sweep, look inside",
    note: "",
    state,
    ...(opts.sweep ? { sweep: { params: [...opts.sweep.params], values: opts.sweep.values.map((v) => [...v]) } } : {}),
  };
  const { model, task } = playgroundSummary(state);
  const summary = `[seqlab plot: playground, ${model} on ${task}]`;
  return emit(who, payload, { text: playgroundText(payload), svg: playgroundSvg(payload) }, opts, summary);
}

/** The settings that apply to a run with `state`, as [label, value] rows (the text shown as text, cut at 60 characters). */
const settingRows = (state: PlaygroundState): string[][] =>
  PLAYGROUND_PARAM_NAMES.filter((k) => playgroundParamApplies(k, state)).map((k) => [PLAYGROUND_PARAMS[k].label, k === "text" ? quoted(state.text, 60) : String(state[k])]);

const quoted = (text: string, max: number): string => JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

const TASK_NAMES: Readonly<Record<PlaygroundState["task"], string>> = {
  recall: "recall", longRange: "long range", tagging: "tagging", sentiment: "sentiment", nextWord: "next word (lecture)", text: "next word (your text)",
};

/** A run's settings in three short phrases, for the runs table and the chart's legend: "recall k=10", "LSTM H=16 bi", "lr 0.01 · batch 64 · 200 steps". */
export function playgroundSummary(state: PlaygroundState): { task: string; model: string; training: string } {
  const s = state;
  const task = s.task === "recall" ? `recall k=${s.lag}` : s.task === "longRange" ? `long range d=${s.distractors}` : TASK_NAMES[s.task];
  const model = s.cell === "feedforward"
    ? [`feedforward W=${s.window}`, `H=${s.hiddenSize}`]
    : [
      s.cell.toUpperCase(), `H=${s.hiddenSize}`,
      ...(s.cell === "rnn" && s.nonlinearity !== "tanh" ? [s.nonlinearity] : []),
      ...(s.cell === "lstm" && s.forgetBias !== "pytorch" ? [`b_f=${s.forgetBias}`] : []),
      ...(s.cell === "gru" && s.resetPosition !== "after" ? ["reset before"] : []),
      ...(s.cell === "gru" && s.updateConvention !== "pytorch" ? ["textbook z"] : []),
      ...(s.bidirectional ? ["bi"] : []),
      ...(s.numLayers > 1 ? [`${s.numLayers} layers`] : []),
    ];
  const training = [
    `lr ${s.lr}`, `batch ${s.batchSize}`, `${s.steps} steps`, ...(s.clip !== "off" ? [`clip ${s.clip}`] : []), `seed ${s.seed}`,
    ...(s.backend !== "auto" ? [`kernels ${s.backend}`] : []),
  ];
  return { task, model: model.join(" "), training: training.join(" · ") };
}

/**
 * What the user should know about a combination before trusting its numbers ("" when
 * nothing): a bidirectional model predicting the next word has read that word already.
 */
export function playgroundCaveat(state: PlaygroundState): string {
  const nextWord = state.task === "nextWord" || state.task === "text";
  if (nextWord && state.cell !== "feedforward" && state.bidirectional) {
    return "A bidirectional model predicting the next word cheats: its right-to-left direction has already read that word.";
  }
  return "";
}

/** One line on the task, as the playground shows it under its controls. */
export const playgroundAbout = (state: PlaygroundState): string => PLAYGROUND_TASK_ABOUT[state.task];

/**
 * The runs of a sweep: `base` with every combination of the sweep's values, the first
 * setting's values varying slowest. Checked first, so a bad sweep throws naming what is wrong.
 */
export function sweepSettings(base: PlaygroundState, sweep: PlaygroundSweep): PlaygroundState[] {
  assertPlaygroundSweep("sweep", sweep);
  let out: PlaygroundState[] = [{ ...base }];
  sweep.params.forEach((key, k) => {
    out = out.flatMap((s) => sweep.values[k]!.map((v) => ({ ...s, [key]: v }) as PlaygroundState));
  });
  return out;
}

/**
 * The notebook cell that shows this playground again, set up as it is now: the settings that
 * differ from the defaults, and the sweep. A lecturer configures a question in the page and
 * ships the cell ("Share").
 */
export function playgroundCall(state: PlaygroundState, sweep?: PlaygroundSweep, title?: string): string {
  assertPlaygroundState("playgroundCall", state);
  if (sweep !== undefined) assertPlaygroundSweep("playgroundCall", sweep);
  const changed = PLAYGROUND_PARAM_NAMES.filter((k) => state[k] !== PLAYGROUND_PARAMS[k].default && (playgroundParamApplies(k, state) || sweep?.params.includes(k as never)));
  const settings = changed.map((k) => `${k}: ${JSON.stringify(state[k])}`).join(", ");
  const options = [
    ...(title !== undefined ? [`title: ${JSON.stringify(title)}`] : []),
    ...(sweep ? [`sweep: { params: ${JSON.stringify(sweep.params)}, values: ${JSON.stringify(sweep.values)} }`] : []),
  ];
  const args = [`{${settings ? ` ${settings} ` : ""}}`, ...(options.length ? [`{ ${options.join(", ")} }`] : [])];
  return `import { plot } from "seqlab";

plot.playground(${args.join(", ")});`;
}

/** The columns of the runs table, in the page and in the text view. */
export const PLAYGROUND_RUN_COLUMNS: readonly string[] = [
  "run", "task", "model", "training", "final loss", "test accuracy", "chance", "ms / step", "ran on", "ended",
];

/** How a run ended, in words ("" when it took all its steps). */
export function playgroundEndedText(run: PlaygroundRun): string {
  if (run.ended === "stopped") return `stopped by you at step ${run.stepsTaken}`;
  if (run.ended === "failed") return `failed at step ${run.stepsTaken + 1}`;
  return "";
}

/** One run's cells under PLAYGROUND_RUN_COLUMNS. */
export function playgroundRunCells(run: PlaygroundRun): string[] {
  const { task, model, training } = playgroundSummary(run.state);
  return [
    `#${run.id}`, task, model, training,
    fmtOrGap(run.finalLoss), fmtOrGap(run.testAccuracy), fmtOrGap(run.chance), fmtOrGap(run.msPerStep), run.kernels, playgroundEndedText(run),
  ];
}

const runList = (p: PlaygroundPlot): PlaygroundRun[] => p.runs?.list ?? [];

/** The text view: the settings, where training happens, and the runs kept so far. */
export function playgroundText(p: PlaygroundPlot): string {
  const runs = runList(p);
  const table = runs.length ? `\n${runs.length} run${runs.length === 1 ? "" : "s"} kept:\n${textTable(PLAYGROUND_RUN_COLUMNS, runs.map(playgroundRunCells))}` : "";
  const caveat = playgroundCaveat(p.state);
  return `${p.title}\n${playgroundAbout(p.state)}\n${textTable(["setting", "value"], settingRows(p.state))}\n${caveat ? `${caveat}\n` : ""}${sweepLine(p)}${WHERE}${table}`;
}

const sweepLine = (p: PlaygroundPlot): string =>
  p.sweep ? `Sweep set up: ${p.sweep.params.map((k, j) => `${PLAYGROUND_PARAMS[k].label} over ${p.sweep!.values[j]!.join(", ")}`).join(" × ")}.\n` : "";

/** The static picture: the settings as lines of text, and a line per kept run. */
export function playgroundSvg(p: PlaygroundPlot): string {
  const lines = [playgroundAbout(p.state), ...settingRows(p.state).map(([name, value]) => `${name}: ${value}`), playgroundCaveat(p.state), sweepLine(p).trim()]
    .filter(Boolean).map((line) => note(line, 980));
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
