/** The training-curves payload (plot kind "training"), static or live. */
import { checkNumber, checkNumbers, checkObjects, checkStepIndices } from "./checks.js";
import { checkString, isObject, LIMITS, type Json } from "./common.js";

export const TRAINING_METRICS = ["loss", "accuracy", "perplexity"] as const;
export type TrainingMetric = (typeof TRAINING_METRICS)[number];

/** One run's curves; a metric the run did not record is absent. null marks a NaN/Inf value. */
export interface TrainingCurve {
  name: string;
  /** Shown in the legend and on hover, e.g. { lr: 0.01, hiddenSize: 32 }. */
  hyperparameters: Record<string, number | string>;
  steps: number[];
  loss: (number | null)[];
  accuracy?: (number | null)[];
  perplexity?: (number | null)[];
}

/** How far the run being trained has got (live mode). */
export interface TrainingProgress {
  step: number;
  totalSteps: number;
  loss: number | null;
  stepsPerSecond: number | null;
  secondsLeft: number | null;
  done: boolean;
  /** The progress line as text: "step 120/500 · loss 1.23 · 45 steps/s · 8 s left". */
  line: string;
}

export interface TrainingPlot {
  version: 1;
  kind: "training";
  title: string;
  /** Under the title ("" when nothing to say), e.g. that long runs were averaged. */
  note: string;
  /** One panel per metric, in this order. */
  metrics: TrainingMetric[];
  runs: TrainingCurve[];
  /** Present while (and after) a model trains with `plot.liveTraining`. */
  progress: TrainingProgress | null;
}

const MAX_HYPERPARAMETERS = 32;

export function validateTraining(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  const metrics = p.metrics;
  if (!Array.isArray(metrics) || metrics.length === 0 || metrics.some((m) => !(TRAINING_METRICS as readonly Json[]).includes(m)) || new Set(metrics).size !== metrics.length) {
    errors.push(`metrics must be distinct names out of ${TRAINING_METRICS.join(", ")}`);
    return;
  }
  const runs = checkObjects(p.runs, "runs", LIMITS.maxEntries, errors);
  runs?.forEach((run, k) => {
    const where = `runs[${k}].`;
    checkString(run, "name", errors, where);
    const hp = run.hyperparameters;
    if (!isObject(hp) || Object.keys(hp).length > MAX_HYPERPARAMETERS) errors.push(`${where}hyperparameters must be an object with at most ${MAX_HYPERPARAMETERS} entries`);
    else {
      for (const [key, value] of Object.entries(hp)) {
        if (key.length > LIMITS.maxLabelLength) errors.push(`${where}hyperparameters has a name longer than ${LIMITS.maxLabelLength} characters`);
        if (typeof value === "string") checkString(hp, key, errors, `${where}hyperparameters.`);
        else if (typeof value !== "number" || !Number.isFinite(value)) errors.push(`${where}hyperparameters.${key.slice(0, 40)} must be a string or a finite number`);
      }
    }
    if (!Array.isArray(run.steps) || run.steps.length > LIMITS.maxSteps) return void errors.push(`${where}steps must be an array of at most ${LIMITS.maxSteps} step numbers`);
    const n = run.steps.length;
    if (!checkStepIndices(run.steps, n, `${where}steps`, errors)) return;
    for (const metric of TRAINING_METRICS) {
      if (metric === "loss" || run[metric] !== undefined) checkNumbers(run[metric], n, `${where}${metric}`, errors, { nullable: true });
    }
  });
  const progress = p.progress;
  if (progress === null) return;
  if (!isObject(progress)) return void errors.push("progress must be an object or null");
  checkNumber(progress, "step", errors, "progress.", { integer: true, min: 0 });
  checkNumber(progress, "totalSteps", errors, "progress.", { integer: true, min: 0 });
  for (const key of ["loss", "stepsPerSecond", "secondsLeft"]) checkNumber(progress, key, errors, "progress.", { nullable: true, min: key === "loss" ? undefined : 0 });
  if (typeof progress.done !== "boolean") errors.push("progress.done must be true or false");
  checkString(progress, "line", errors, "progress.");
}
