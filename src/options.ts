/**
 * Checks of option values, one rule for the whole library: an option that picks a mode accepts
 * only its listed values, a number only what makes sense (finite, in range, whole where counted),
 * and the message names where, the option, what is allowed and what came. A misspelt mode never
 * quietly becomes the default.
 */
import { OptionError } from "./errors.js";
import { DTYPES, type DType } from "./tensor.js";

const shown = (v: unknown): string => (typeof v === "string" ? JSON.stringify(v) : typeof v === "number" || typeof v === "boolean" || v == null ? String(v) : typeof v);

/** `value` if it is one of `allowed`, `fallback` when it is undefined; else an OptionError listing them. */
export function oneOf<T extends string>(where: string, name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  throw new OptionError(`${where}: ${name} must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}, got ${shown(value)}`);
}

/** What a number option allows. */
export interface NumberRule {
  /** Smallest allowed value (inclusive unless `above`). */
  min?: number;
  /** The value must be greater than `min`. */
  above?: boolean;
  /** Largest allowed value (inclusive unless `below`). */
  max?: number;
  below?: boolean;
  /** A whole number (a count). */
  integer?: boolean;
  /** Infinity is allowed (e.g. a norm type). */
  infinite?: boolean;
}

/** `value` if it is a number that keeps `rule`, `fallback` when it is undefined; else an OptionError. */
export function checkNumber(where: string, name: string, value: unknown, rule: NumberRule, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const { min, max, above = false, below = false, integer = false, infinite = false } = rule;
  const range = [
    min === undefined ? null : `${above ? ">" : "≥"} ${min}`,
    max === undefined ? null : `${below ? "<" : "≤"} ${max}`,
  ].filter(Boolean).join(" and ");
  const wanted = `${integer ? "a whole number" : infinite ? "a number" : "a finite number"}${range ? ` ${range}` : ""}`;
  const ok = typeof value === "number" && !Number.isNaN(value) && (infinite || Number.isFinite(value)) && (!integer || Number.isInteger(value)) &&
    (min === undefined || (above ? value > min : value >= min)) && (max === undefined || (below ? value < max : value <= max));
  if (!ok) throw new OptionError(`${where}: ${name} must be ${wanted}, got ${shown(value)}`);
  return value as number;
}

/** A module's dtype option: "float32" (default) or "float64". */
export const dtypeOption = (where: string, value: unknown): DType => oneOf(where, "dtype", value, DTYPES, "float32");

/** The options object itself: a constructor called without one says what it needs. */
export function optionsObject<T extends object>(where: string, opts: T | undefined | null, example: string): T {
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new OptionError(`${where}: expected an options object such as ${example}, got ${opts === null ? "null" : Array.isArray(opts) ? "an array" : typeof opts}`);
  }
  return opts;
}
