/**
 * Training curves: loss (and accuracy, perplexity) against step for one or several runs, with
 * each run's hyperparameters in its legend entry, so that runs with different learning rates
 * or hidden sizes compare at a glance.
 *
 *   plot.training([{ name: "lr 0.01", hyperparameters: { lr: 0.01 }, ...log }, …]);
 *
 * And live, while a model trains in the cell: one output that is replaced in place.
 *
 *   const live = plot.liveTraining({ title: "char LSTM", totalSteps: 500 });
 *   for (let k = 1; k <= 500; k++) await live.step(k, { loss: trainOnce() });
 */
import { display, newDisplayId, type MimeBundle } from "./display.js";
import { bucketBounds } from "./downsample.js";
import { emit, fmtOrGap, textTable } from "./emit.js";
import { finiteOrNull, MAX_PLOT_STEPS } from "./sample.js";
import { MIME_TYPE, TRAINING_METRICS, validatePlot, type TrainingCurve, type TrainingMetric, type TrainingPlot, type TrainingProgress } from "./schema.js";
import { withSummary, type ShowOptions } from "./show.js";
import { figure, fmt, lineChart } from "./svg.js";

/** One run as the caller logged it (e.g. `{ name, hyperparameters, ...fit(model, data) }`). */
export interface TrainingRun {
  name: string;
  hyperparameters?: Record<string, number | string>;
  steps: readonly number[];
  loss: readonly number[];
  accuracy?: readonly number[];
  perplexity?: readonly number[];
}

export interface TrainingOptions extends ShowOptions {
  title?: string;
  /** Panels to draw (default: loss, then accuracy and perplexity if any run recorded them). */
  metrics?: readonly TrainingMetric[];
}

const LABELS: Record<TrainingMetric, string> = { loss: "loss", accuracy: "accuracy", perplexity: "perplexity" };

/** "lr=0.01, hiddenSize=32": how a run's hyperparameters read in a legend. */
export function hyperparameterText(hp: Readonly<Record<string, number | string>>): string {
  return Object.entries(hp).map(([k, v]) => `${k}=${typeof v === "number" ? fmt(v) : v}`).join(", ");
}

/** A run as payload: lengths checked, NaN/Inf as gaps, long runs averaged to MAX_PLOT_STEPS points. */
function curve(run: TrainingRun, who: string): TrainingCurve {
  const n = run.steps.length;
  for (const metric of TRAINING_METRICS) {
    const values = run[metric];
    if ((metric === "loss" || values) && values!.length !== n) throw new RangeError(`${who}: run "${run.name}" has ${n} steps but ${values!.length} ${metric} values`);
  }
  // Each point of a long run is a bucket: its last step, and the mean of each metric over it.
  const b = bucketBounds(n, Math.min(n, MAX_PLOT_STEPS));
  const mean = (v: readonly number[]) =>
    b.slice(0, -1).map((from, j) => {
      const vals = v.slice(from, b[j + 1]).filter(Number.isFinite);
      return vals.length ? finiteOrNull(vals.reduce((a, x) => a + x, 0) / vals.length) : null;
    });
  const out: TrainingCurve = {
    name: run.name,
    hyperparameters: { ...(run.hyperparameters ?? {}) },
    steps: n ? b.slice(1).map((to) => run.steps[to - 1]!) : [],
    loss: mean(run.loss),
  };
  if (run.accuracy) out.accuracy = mean(run.accuracy);
  if (run.perplexity) out.perplexity = mean(run.perplexity);
  return out;
}

/** The payload of `runs` (no display): shared by `training` and the live view. */
export function trainingPayload(runs: readonly TrainingRun[], opts: { title?: string; metrics?: readonly TrainingMetric[] }, progress: TrainingProgress | null, who: string): TrainingPlot {
  const curves = runs.map((r) => curve(r, who));
  const metrics = opts.metrics ? [...opts.metrics] : TRAINING_METRICS.filter((m) => m === "loss" || curves.some((c) => c[m]));
  const longest = Math.max(0, ...runs.map((r) => r.steps.length));
  return {
    version: 1,
    kind: "training",
    title: opts.title ?? (runs.length > 1 ? `Training curves of ${runs.length} runs` : "Training curve"),
    note: longest > MAX_PLOT_STEPS ? `runs longer than ${MAX_PLOT_STEPS} steps are shown as means of consecutive steps` : "",
    metrics,
    runs: curves,
    progress,
  };
}

/** Builds (and, in a notebook, shows) the curves of one or several runs. */
export function training(runs: TrainingRun | readonly TrainingRun[], opts: TrainingOptions = {}): TrainingPlot {
  const who = "plot.training";
  const list = Array.isArray(runs) ? (runs as readonly TrainingRun[]) : [runs as TrainingRun];
  if (list.length === 0) throw new Error(`${who}: no runs; pass a run { name, steps, loss, … } or a list of them`);
  const payload = trainingPayload(list, opts, null, who);
  return emit(who, payload, { text: trainingText(payload), svg: trainingSvg(payload) }, opts, `[seqlab plot: training curves, ${list.length} run${list.length > 1 ? "s" : ""}]`);
}

/** The text/plain view: the progress line (live), then each run's first and last values. */
export function trainingText(p: TrainingPlot): string {
  const rows = p.runs.map((r) => {
    const last = r.steps.length - 1;
    return [r.name, hyperparameterText(r.hyperparameters), String(r.steps[last] ?? "—"), ...p.metrics.map((m) => fmtOrGap(r[m]?.[last] ?? null))];
  });
  const table = textTable(["run", "hyperparameters", "last step", ...p.metrics.map((m) => `last ${m}`)], rows);
  return [p.title, p.note, p.progress?.line ?? "", table].filter(Boolean).join("\n");
}

/** The static picture: one line chart per metric, a line per run. */
export function trainingSvg(p: TrainingPlot): string {
  const charts = p.metrics.map((m) =>
    lineChart({
      label: LABELS[m],
      xTitle: "training step",
      series: p.runs.filter((r) => r[m]).map((r) => ({ name: r.name + (Object.keys(r.hyperparameters).length ? ` (${hyperparameterText(r.hyperparameters)})` : ""), x: r.steps, y: r[m]! })),
      logY: m === "perplexity",
    }),
  );
  return figure(p.title, charts, { subtitle: [p.progress?.line, p.note].filter(Boolean).join(" — ") || undefined });
}

export interface LiveTrainingOptions {
  title?: string;
  /** The number of steps the loop will run (for the progress line and time left). */
  totalSteps: number;
  /** Panels to draw (default loss, plus every metric passed to `step`). */
  metrics?: readonly TrainingMetric[];
  /** Name and hyperparameters of the run being trained. */
  name?: string;
  hyperparameters?: Record<string, number | string>;
  /** Earlier runs drawn alongside, for comparison. */
  baselines?: readonly TrainingRun[];
  /** Minimum time between two updates of the output (default 250 ms). */
  throttleMs?: number;
}

/** A training curve that updates in place while the model trains. */
export interface LiveTraining {
  /**
   * Records step `step`. The output is redrawn at most every `throttleMs` and always at the
   * last step. `await` it in a training loop: a synchronous loop holds every update back until
   * the cell ends, while awaiting lets the kernel send each one (it only yields when it drew).
   */
  step(step: number, values: { loss: number; accuracy?: number; perplexity?: number }): Promise<void>;
  /** Replaces the current run's log (e.g. with `fit`'s) and redraws. */
  update(log: Omit<TrainingRun, "name"> & { name?: string }): Promise<void>;
  /** Marks the run finished and draws the final state. */
  finish(): TrainingPlot;
  /** The payload as last drawn (for tests). */
  readonly payload: TrainingPlot;
  /** How many times the output was (re)drawn. */
  readonly draws: number;
}

/** "step 120/500 · loss 1.234 · 45.2 steps/s · 8 s left". */
export function progressLine(p: Omit<TrainingProgress, "line">): string {
  const parts = [`step ${p.step}/${p.totalSteps}`, `loss ${fmtOrGap(p.loss)}`];
  if (p.stepsPerSecond !== null) parts.push(`${fmt(p.stepsPerSecond)} steps/s`);
  if (p.done) parts.push("done");
  else if (p.secondsLeft !== null) parts.push(`${p.secondsLeft < 90 ? `${Math.ceil(p.secondsLeft)} s` : `${Math.ceil(p.secondsLeft / 60)} min`} left`);
  return parts.join(" · ");
}

/** Starts a live training display: shows an empty curve now, then `step` adds points. */
export function liveTraining(opts: LiveTrainingOptions): LiveTraining {
  const who = "plot.liveTraining";
  if (!Number.isInteger(opts.totalSteps) || opts.totalSteps < 1) throw new RangeError(`${who}: totalSteps must be a positive integer, got ${opts.totalSteps}`);
  const throttle = opts.throttleMs ?? 250;
  const displayId = newDisplayId();
  const run: { steps: number[]; loss: number[]; accuracy: number[]; perplexity: number[] } = { steps: [], loss: [], accuracy: [], perplexity: [] };
  const now = (): number => (globalThis.performance ?? Date).now();
  let started: number | null = null;
  let firstStep = 0;
  let lastDraw = -Infinity;
  let draws = 0;
  let done = false;
  let payload: TrainingPlot;

  function progress(): TrainingProgress {
    const step = run.steps.at(-1) ?? 0;
    const elapsed = started === null ? 0 : (now() - started) / 1000;
    const rate = elapsed > 0 && step > firstStep ? (step - firstStep) / elapsed : null;
    const p = { step, totalSteps: opts.totalSteps, loss: finiteOrNull(run.loss.at(-1) ?? NaN), stepsPerSecond: rate, secondsLeft: rate ? Math.max(0, opts.totalSteps - step) / rate : null, done };
    return { ...p, line: progressLine(p) };
  }

  function draw(): void {
    const current: TrainingRun = {
      name: opts.name ?? "this run",
      hyperparameters: opts.hyperparameters ?? {},
      steps: run.steps,
      loss: run.loss,
      ...(run.accuracy.length ? { accuracy: run.accuracy } : {}),
      ...(run.perplexity.length ? { perplexity: run.perplexity } : {}),
    };
    payload = trainingPayload([...(opts.baselines ?? []), current], { title: opts.title ?? "Training (live)", metrics: opts.metrics }, progress(), who);
    const check = validatePlot(payload);
    if (!check.ok) throw new Error(`${who} built an invalid payload: ${check.errors.join("; ")}`);
    const bundle: MimeBundle = { [MIME_TYPE]: payload, "text/plain": trainingText(payload), "image/svg+xml": trainingSvg(payload) };
    display(bundle, { displayId, update: draws > 0 });
    draws++;
    lastDraw = now();
  }

  /** Redraws if due; when it drew, yields one macrotask so the kernel can send the update. */
  function maybeDraw(force: boolean): Promise<void> {
    if (!force && now() - lastDraw < throttle) return Promise.resolve();
    draw();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  draw();
  return {
    step(step, values) {
      // Checked before anything is kept: a bad call leaves the curve as it was.
      const last = run.steps.at(-1);
      if (!Number.isInteger(step) || step < 1 || (last !== undefined && step <= last)) {
        throw new RangeError(`${who}: step must be a whole number ≥ 1 and greater than the last step (${last ?? "none yet"}), got ${JSON.stringify(step) ?? String(step)}`);
      }
      if (typeof values !== "object" || values === null) throw new TypeError(`${who}: step(${step}, values) needs values such as { loss: 0.7 }, got ${values === null ? "null" : typeof values}`);
      for (const key of ["loss", "accuracy", "perplexity"] as const) {
        const v = values[key];
        if ((key === "loss" || v !== undefined) && typeof v !== "number") throw new TypeError(`${who}: ${key} at step ${step} must be a number, got ${JSON.stringify(v) ?? typeof v}`);
      }
      if (started === null) {
        started = now();
        firstStep = step - 1;
      }
      run.steps.push(step);
      run.loss.push(values.loss);
      if (values.accuracy !== undefined) run.accuracy.push(values.accuracy);
      if (values.perplexity !== undefined) run.perplexity.push(values.perplexity);
      if (step >= opts.totalSteps) done = true;
      return maybeDraw(done);
    },
    update(log) {
      started ??= now();
      run.steps = [...log.steps];
      run.loss = [...log.loss];
      run.accuracy = [...(log.accuracy ?? [])];
      run.perplexity = [...(log.perplexity ?? [])];
      if ((run.steps.at(-1) ?? 0) >= opts.totalSteps) done = true;
      return maybeDraw(done);
    },
    finish() {
      done = true;
      draw();
      return withSummary(payload, `[seqlab plot: live training curve, ${payload.progress!.line}]`);
    },
    get payload() {
      return payload;
    },
    get draws() {
      return draws;
    },
  };
}
