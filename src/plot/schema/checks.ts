/** Checkers for fields, shared by the plot kinds' validators. */
import { isObject, type Json } from "./common.js";

export interface NumberRule {
  /** null is allowed (a gap: the value was NaN or ±Inf). */
  nullable?: boolean;
  min?: number;
  max?: number;
  /** Strictly above zero (values on a log axis). */
  positive?: boolean;
  integer?: boolean;
}

function numberProblem(v: Json, rule: NumberRule): string | null {
  if (v === null) return rule.nullable ? null : "null is not allowed here";
  // String(NaN) is "NaN", where JSON.stringify would say "null".
  if (typeof v !== "number" || !Number.isFinite(v)) return `${typeof v === "number" ? String(v) : JSON.stringify(v)} is not a finite number${rule.nullable ? " or null" : ""}`;
  if (rule.integer && !Number.isInteger(v)) return `${v} is not an integer`;
  if (rule.positive && v <= 0) return `${v} is not above 0`;
  if (rule.min !== undefined && v < rule.min) return `${v} is below ${rule.min}`;
  if (rule.max !== undefined && v > rule.max) return `${v} is above ${rule.max}`;
  return null;
}

/** A single number field `obj[key]`. */
export function checkNumber(obj: Record<string, Json>, key: string, errors: string[], where: string, rule: NumberRule = {}): boolean {
  const problem = numberProblem(obj[key], rule);
  if (problem) errors.push(`${where}${key}: ${problem}`);
  return problem === null;
}

/** An array of numbers of length `length` (any length up to `maxLength` when length is null). */
export function checkNumbers(v: Json, length: number | null, what: string, errors: string[], rule: NumberRule = {}, maxLength = Infinity): v is (number | null)[] {
  if (!Array.isArray(v)) {
    errors.push(`${what} must be an array of numbers`);
    return false;
  }
  if (length !== null && v.length !== length) {
    errors.push(`${what} must have ${length} values, got ${v.length}`);
    return false;
  }
  if (v.length > maxLength) {
    errors.push(`${what} has ${v.length} values; at most ${maxLength}`);
    return false;
  }
  for (let k = 0; k < v.length; k++) {
    const problem = numberProblem(v[k], rule);
    if (problem) {
      errors.push(`${what}[${k}]: ${problem}`);
      return false;
    }
  }
  return true;
}

/** rows × cols numbers, z[row][col]. */
export function checkRows(z: Json, rows: number, cols: number, what: string, errors: string[], rule: NumberRule = {}): boolean {
  if (!Array.isArray(z) || z.length !== rows) {
    errors.push(`${what} must have ${rows} rows, got ${Array.isArray(z) ? z.length : typeof z}`);
    return false;
  }
  return z.every((row, r) => checkNumbers(row, cols, `${what}[${r}]`, errors, rule));
}

/** Step indices: increasing non-negative integers, one per row. */
export function checkStepIndices(v: Json, length: number, what: string, errors: string[]): boolean {
  if (!checkNumbers(v, length, what, errors, { integer: true, min: 0 })) return false;
  const steps = v as number[];
  for (let k = 1; k < steps.length; k++) {
    if (steps[k]! <= steps[k - 1]!) {
      errors.push(`${what} must be increasing (${what}[${k}] = ${steps[k]} after ${steps[k - 1]})`);
      return false;
    }
  }
  return true;
}

/** `obj[key]` is one of the listed strings ("must be "a", "b" or "c""). */
export function checkOneOf(obj: Record<string, Json>, key: string, values: readonly string[], errors: string[], where = ""): boolean {
  if (typeof obj[key] === "string" && values.includes(obj[key] as string)) return true;
  const quoted = values.map((s) => JSON.stringify(s));
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(", ")} or ${quoted.at(-1)}` : (quoted[0] ?? "");
  errors.push(`${where}${key} must be ${list}`);
  return false;
}

/**
 * An integer field `obj[key]`: at least 0 ("must be a non-negative integer"), or within
 * [min, max] ("must be an integer in [min, max]").
 */
export function checkInteger(obj: Record<string, Json>, key: string, errors: string[], where = "", range?: readonly [number, number]): boolean {
  const v = obj[key];
  const [min, max] = range ?? [0, Infinity];
  if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return true;
  errors.push(`${where}${key} must be ${range ? `an integer in [${min}, ${max}]` : "a non-negative integer"}`);
  return false;
}

/**
 * An array of objects, non-empty and at most `max` long (`noun` names them in the message; no
 * upper bound when max is Infinity); returns the objects (or null after reporting).
 */
export function checkObjects(v: Json, what: string, max: number, errors: string[], noun = "entries"): Record<string, Json>[] | null {
  if (!Array.isArray(v) || v.length === 0 || v.length > max) {
    errors.push(`${what} must be a non-empty array${max < Infinity ? ` of at most ${max} ${noun}` : ""}`);
    return null;
  }
  const bad = v.findIndex((e) => !isObject(e));
  if (bad >= 0) {
    errors.push(`${what}[${bad}] must be an object`);
    return null;
  }
  return v as Record<string, Json>[];
}
