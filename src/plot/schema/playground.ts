/**
 * The playground (plot kind "playground"): a memory experiment that trains in the page. The
 * payload carries only the starting hyperparameters; the extension builds the task and the
 * model from them, trains with seqlab's own kernels (WebAssembly when it can) and draws the
 * curves as they come, so a student can change a setting and run again without the kernel.
 *
 * The hyperparameters are declared once, with the experiment (src/train/playground-settings.ts);
 * this file checks a payload against them and declares the runs it keeps.
 */
import { checkPlaygroundState, PLAYGROUND_PARAMS, PLAYGROUND_CHOICE_NAMES, type PlaygroundChoiceParam, type PlaygroundState } from "../../train/playground-settings.js";
import { checkNumber, checkNumbers, checkStepIndices } from "./checks.js";
import { checkString, isObject, LIMITS, type Json } from "./common.js";

// The extension reads the settings through seqlab/schema, with the payload they travel in.
export * from "../../train/playground-settings.js";

/** Runs a playground keeps (on its chart, and in the notebook's output): the newest. A sweep of 4 × 4 fits. */
export const PLAYGROUND_MAX_RUNS = 24;
/** A sweep varies one or two settings, each over at most this many values. */
export const PLAYGROUND_SWEEP_MAX_VALUES = 4;
/** Points of a kept run's curves; a longer run is stored averaged over buckets of steps. */
export const PLAYGROUND_MAX_POINTS = 250;
/** The layout of `runs` in the payload; a renderer refuses a layout it does not know. */
export const PLAYGROUND_RUNS_VERSION = 2;
export const PLAYGROUND_ENDINGS = ["done", "stopped", "failed"] as const;

/** One run as the chart and the table show it, and as the notebook keeps it. */
export interface PlaygroundRun {
  /** Numbered from 1 within the output: "#3". */
  id: number;
  state: PlaygroundState;
  /** Training steps the run took. */
  stepsTaken: number;
  /** The loss of its last step (the curve may be averaged). null before the first step. */
  finalLoss: number | null;
  /** Accuracy on 512 sequences the model never trained on (the text tasks: on their own sentences); null when not measured. */
  testAccuracy: number | null;
  /** The test accuracy of always guessing the most frequent class; null when not measured. */
  chance: number | null;
  /** The sweep the run belongs to (numbered from 1 within the output), null for a single run. */
  sweep: number | null;
  msPerStep: number | null;
  /** Which kernels ran, in words ("WebAssembly SIMD on 1 thread"). */
  kernels: string;
  /** "done": all its steps; "stopped": by the Stop button; "failed": it could not go on. */
  ended: (typeof PLAYGROUND_ENDINGS)[number];
  /** Loss and accuracy on each training batch (null: NaN/Inf), at the given step numbers. */
  curve: { steps: number[]; loss: (number | null)[]; accuracy: (number | null)[] };
}

/** One or two settings and the values to try for each: every combination is a run. */
export interface PlaygroundSweep {
  params: PlaygroundChoiceParam[];
  /** values[k]: the values of params[k], each one of its choices. */
  values: (string | number | boolean)[][];
}

export interface PlaygroundRuns {
  version: typeof PLAYGROUND_RUNS_VERSION;
  /** Oldest first, at most PLAYGROUND_MAX_RUNS. */
  list: PlaygroundRun[];
}

export interface PlaygroundPlot {
  version: 1;
  kind: "playground";
  title: string;
  /** Under the title ("" when nothing to say). */
  note: string;
  /** The settings the controls start at. */
  state: PlaygroundState;
  /** The sweep the sweep controls start at (a lecturer's question); absent: none. */
  sweep?: PlaygroundSweep;
  /** Runs trained in this output, written back by the extension so that saving the notebook keeps them. Absent: none. */
  runs?: PlaygroundRuns;
}

export function validatePlayground(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  checkPlaygroundState(p.state, errors);
  if (p.sweep !== undefined) checkPlaygroundSweep(p.sweep, errors);
  if (p.runs !== undefined) checkPlaygroundRuns(p.runs, errors);
}

/** Throws a RangeError naming `who` and what is wrong with the sweep; the sweep itself otherwise. */
export function assertPlaygroundSweep(who: string, sweep: unknown): PlaygroundSweep {
  const errors: string[] = [];
  if (!checkPlaygroundSweep(sweep as Json, errors)) throw new RangeError(`${who}: ${errors.join("; ")}`);
  return sweep as PlaygroundSweep;
}

/** Checks a sweep: one or two distinct list settings, each with 1 … PLAYGROUND_SWEEP_MAX_VALUES distinct values among its choices. */
export function checkPlaygroundSweep(sweep: Json, errors: string[], where = "sweep"): sweep is PlaygroundSweep & Json {
  const before = errors.length;
  if (!isObject(sweep)) {
    errors.push(`${where} must be an object { params, values }`);
    return false;
  }
  const { params, values } = sweep;
  if (!Array.isArray(params) || params.length < 1 || params.length > 2) {
    errors.push(`${where}.params must name one or two settings; got ${JSON.stringify(params)?.slice(0, 60) ?? "nothing"}`);
    return false;
  }
  if (!Array.isArray(values) || values.length !== params.length) {
    errors.push(`${where}.values must be one list of values per setting (${params.length}); got ${JSON.stringify(values)?.slice(0, 60) ?? "nothing"}`);
    return false;
  }
  params.forEach((key, k) => {
    if (!(PLAYGROUND_CHOICE_NAMES as readonly Json[]).includes(key)) {
      return void errors.push(`${where}.params[${k}] must be one of ${PLAYGROUND_CHOICE_NAMES.join(", ")}; got ${JSON.stringify(key)?.slice(0, 40)}`);
    }
    if (params.indexOf(key) !== k) return void errors.push(`${where}.params names ${JSON.stringify(key)} twice`);
    const choices = PLAYGROUND_PARAMS[key as PlaygroundChoiceParam].choices as readonly Json[];
    const list = values[k];
    if (!Array.isArray(list) || list.length < 1 || list.length > PLAYGROUND_SWEEP_MAX_VALUES) {
      return void errors.push(`${where}.values[${k}] must be a list of 1 to ${PLAYGROUND_SWEEP_MAX_VALUES} values of ${key}; got ${JSON.stringify(list)?.slice(0, 60) ?? "nothing"}`);
    }
    list.forEach((v, j) => {
      if (!choices.includes(v)) errors.push(`${where}.values[${k}][${j}] must be one of ${key}'s choices ${choices.map((c) => JSON.stringify(c)).join(", ")}; got ${JSON.stringify(v)?.slice(0, 40)}`);
      else if (list.indexOf(v) !== j) errors.push(`${where}.values[${k}] lists ${JSON.stringify(v)} twice`);
    });
  });
  return errors.length === before;
}

/** Checks kept runs as strictly as the rest of the payload: they come from a notebook file, which anyone can edit. */
function checkPlaygroundRuns(runs: Json, errors: string[]): void {
  if (!isObject(runs)) return void errors.push(`runs must be an object { version, list }; got ${Array.isArray(runs) ? "an array" : JSON.stringify(runs)?.slice(0, 40)}`);
  if (runs.version !== PLAYGROUND_RUNS_VERSION) {
    return void errors.push(`runs.version must be ${PLAYGROUND_RUNS_VERSION} (the layout of kept runs this renderer reads); got ${JSON.stringify(runs.version)?.slice(0, 40) ?? "nothing"}`);
  }
  const list = runs.list;
  if (!Array.isArray(list) || list.length > PLAYGROUND_MAX_RUNS) {
    return void errors.push(`runs.list must be an array of at most ${PLAYGROUND_MAX_RUNS} runs; got ${Array.isArray(list) ? `${list.length} runs` : JSON.stringify(list)?.slice(0, 40) ?? "nothing"}`);
  }
  let previousId = 0;
  list.forEach((run: Json, k) => {
    const where = `runs.list[${k}]`;
    if (!isObject(run)) return void errors.push(`${where} must be an object`);
    const before = errors.length;
    for (const key of Object.keys(run)) {
      if (!RUN_KEYS.includes(key)) errors.push(`${where} has an unknown field ${JSON.stringify(key.slice(0, 40))}; known: ${RUN_KEYS.join(", ")}`);
    }
    if (checkNumber(run, "id", errors, `${where}.`, { integer: true, min: 1, max: 1e9 })) {
      if ((run.id as number) <= previousId) errors.push(`${where}.id must be above the previous run's (${previousId}); got ${run.id}`);
      previousId = run.id as number;
    }
    checkPlaygroundState(run.state, errors, `${where}.state`);
    checkNumber(run, "stepsTaken", errors, `${where}.`, { integer: true, min: 0, max: LIMITS.maxSteps });
    checkNumber(run, "finalLoss", errors, `${where}.`, { nullable: true, min: 0 });
    checkNumber(run, "testAccuracy", errors, `${where}.`, { nullable: true, min: 0, max: 1 });
    checkNumber(run, "chance", errors, `${where}.`, { nullable: true, min: 0, max: 1 });
    checkNumber(run, "sweep", errors, `${where}.`, { nullable: true, integer: true, min: 1, max: 1e9 });
    checkNumber(run, "msPerStep", errors, `${where}.`, { nullable: true, min: 0 });
    checkString(run, "kernels", errors, `${where}.`);
    if (!(PLAYGROUND_ENDINGS as readonly Json[]).includes(run.ended)) {
      errors.push(`${where}.ended must be ${PLAYGROUND_ENDINGS.map((e) => JSON.stringify(e)).join(", ")}; got ${JSON.stringify(run.ended)?.slice(0, 40) ?? "nothing"}`);
    }
    const curve = run.curve;
    if (!isObject(curve)) return void errors.push(`${where}.curve must be an object { steps, loss, accuracy }`);
    const steps = curve.steps;
    if (!Array.isArray(steps) || steps.length > PLAYGROUND_MAX_POINTS) {
      return void errors.push(`${where}.curve.steps must be an array of at most ${PLAYGROUND_MAX_POINTS} step numbers`);
    }
    if (!checkStepIndices(steps, steps.length, `${where}.curve.steps`, errors)) return;
    checkNumbers(curve.loss, steps.length, `${where}.curve.loss`, errors, { nullable: true });
    checkNumbers(curve.accuracy, steps.length, `${where}.curve.accuracy`, errors, { nullable: true, min: 0, max: 1 });
    if (errors.length === before && steps.length && (steps.at(-1) as number) > (run.stepsTaken as number)) {
      errors.push(`${where}.curve.steps goes to step ${steps.at(-1)}, past the ${run.stepsTaken} steps the run took`);
    }
  });
}

const RUN_KEYS: readonly string[] = ["id", "state", "stepsTaken", "finalLoss", "testAccuracy", "chance", "sweep", "msPerStep", "kernels", "ended", "curve"] satisfies readonly (keyof PlaygroundRun)[];
