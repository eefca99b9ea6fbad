/** What every plot kind's schema shares: the MIME type, limits and the small checkers. */

export const MIME_TYPE = "application/vnd.seqlab.v1+json";
export const SCHEMA_VERSION = 1;

/** How values map to colours: gates live in [0, 1] (sequential); states are signed (diverging). */
export type ColorScale = "sequential" | "diverging";

/** The recurrent cells a trace can come from. */
export type CellKind = "lstm" | "gru" | "rnn";

/** Which layer and direction of a recurrent model a view shows. */
export interface LayerDirection {
  layer: number;
  direction: "forward" | "reverse";
}

/**
 * What the views of one layer and direction over (some of) a sequence's steps carry besides
 * their data: the cell diagram ("cell") and the state trajectories ("states").
 */
export interface StepViewHeader extends LayerDirection {
  title: string;
  /** Under the title: what was downsampled or left out, e.g. "showing 1000 evenly spaced of 10000 steps" ("" when nothing was). */
  note: string;
  cell: CellKind;
  /** The token of each step shown (tokens or "t=0", …). */
  tokens: string[];
  /** The step index in the sequence of each one shown (differs from 0, 1, … when steps were left out). */
  steps: number[];
}

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Upper bounds that keep a payload renderable; builders downsample before reaching them. */
export const LIMITS = { maxSteps: 10_000, maxUnits: 4096, maxLabelLength: 200, maxEntries: 64 } as const;

export type Json = unknown;

export function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export function checkString(obj: Record<string, Json>, key: string, errors: string[], where = ""): void {
  const v = obj[key];
  if (typeof v !== "string") errors.push(`${where}${key} must be a string`);
  else if (v.length > LIMITS.maxLabelLength) errors.push(`${where}${key} is longer than ${LIMITS.maxLabelLength} characters`);
}

export function checkLabels(v: Json, key: string, errors: string[]): v is string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    errors.push(`${key} must be an array of strings`);
    return false;
  }
  if (v.length > LIMITS.maxSteps) errors.push(`${key} has ${v.length} entries; at most ${LIMITS.maxSteps}`);
  if (v.some((s: string) => s.length > LIMITS.maxLabelLength)) errors.push(`${key} has a label longer than ${LIMITS.maxLabelLength} characters`);
  return true;
}

export function checkMatrix(z: Json, rows: number, cols: number, where: string, errors: string[]): void {
  if (!Array.isArray(z) || z.length !== rows) {
    errors.push(`${where}.z must have ${rows} rows (one per step), got ${Array.isArray(z) ? z.length : typeof z}`);
    return;
  }
  for (let t = 0; t < rows; t++) {
    const row = z[t];
    if (!Array.isArray(row) || row.length !== cols) {
      errors.push(`${where}.z[${t}] must have ${cols} values (one per unit)`);
      return;
    }
    for (const v of row) {
      if (v !== null && (typeof v !== "number" || !Number.isFinite(v))) {
        errors.push(`${where}.z[${t}] holds ${JSON.stringify(v)}; values must be finite numbers or null`);
        return;
      }
    }
  }
}

