/** Next-token predictions (plot kind "predictions"): per step, the top-k probabilities and the true next token. */
import { checkString, isObject, LIMITS, type Json } from "./common.js";
import { checkNumber, checkObjects } from "./checks.js";

export interface PredictionBar {
  token: string;
  /** Probability in [0, 1]; null when the model produced NaN/Inf. */
  p: number | null;
}

export interface PredictionStep {
  /** The time step (position of the input token). */
  t: number;
  /** The token the model has just read. */
  input: string;
  /** The k most probable next tokens, most probable first. */
  top: PredictionBar[];
  /** The true next token, its probability and its rank among the whole vocabulary (1 = top). */
  target: { token: string; p: number | null; rank: number } | null;
}

export interface PredictionsPlot {
  version: 1;
  kind: "predictions";
  title: string;
  note: string;
  k: number;
  vocabSize: number;
  steps: PredictionStep[];
  /** The time step t the interactive view opens at (default the first step). */
  at?: number;
}

/** More bars than this per step would not be readable. */
export const MAX_TOP_K = 50;
/** Steps in one payload: a step selector beyond that would be useless anyway. */
export const MAX_PREDICTION_STEPS = 2000;

const PROBABILITY = { nullable: true, min: 0, max: 1 } as const;

export function validatePredictions(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  if (!checkNumber(p, "k", errors, "", { integer: true, min: 1, max: MAX_TOP_K })) return;
  if (!checkNumber(p, "vocabSize", errors, "", { integer: true, min: 1 })) return;
  const k = Math.min(p.k as number, p.vocabSize as number);
  if (p.at !== undefined && checkNumber(p, "at", errors, "", { integer: true, min: 0 }) && Array.isArray(p.steps) && !p.steps.some((s: Json) => isObject(s) && s.t === p.at)) {
    errors.push(`at must be the t of one of the steps, got ${p.at as number}`);
  }
  checkObjects(p.steps, "steps", MAX_PREDICTION_STEPS, errors)?.forEach((step, s) => {
    const where = `steps[${s}].`;
    checkNumber(step, "t", errors, where, { integer: true, min: 0, max: LIMITS.maxSteps * 1000 });
    checkString(step, "input", errors, where);
    if (!Array.isArray(step.top) || step.top.length !== k) {
      errors.push(`${where}top must hold ${k} bars`);
    } else {
      step.top.forEach((bar: Json, j: number) => {
        if (!isObject(bar)) return void errors.push(`${where}top[${j}] must be an object`);
        checkString(bar, "token", errors, `${where}top[${j}].`);
        checkNumber(bar, "p", errors, `${where}top[${j}].`, PROBABILITY);
      });
    }
    if (step.target === null) return;
    if (!isObject(step.target)) return void errors.push(`${where}target must be an object or null`);
    checkString(step.target, "token", errors, `${where}target.`);
    checkNumber(step.target, "p", errors, `${where}target.`, PROBABILITY);
    checkNumber(step.target, "rank", errors, `${where}target.`, { integer: true, min: 1, max: p.vocabSize as number });
  });
}
