/**
 * The plot payload: the JSON document that seqlab's plot functions emit as
 * `application/vnd.seqlab.v1+json` and that the JupyterLab extension renders. It is versioned
 * and validated on both sides, so a hostile or broken payload can only ever produce an error box.
 *
 * This module has no dependencies: the extension bundles it (`import ... from "seqlab/schema"`).
 */

export const MIME_TYPE = "application/vnd.seqlab.v1+json";
export const SCHEMA_VERSION = 1;

/** How values map to colours: gates live in [0, 1] (sequential); states are signed (diverging). */
export type ColorScale = "sequential" | "diverging";

/** One heatmap over time × unit. `z[t][unit]`; null marks a value that was NaN or ±Inf. */
export interface HeatPanel {
  /** Short key, e.g. "i", "f", "c", "h". */
  key: string;
  /** What a student reads above the panel, e.g. "input gate i_t". */
  label: string;
  colorScale: ColorScale;
  zmin: number;
  zmax: number;
  z: (number | null)[][];
}

/** The panels of one layer and direction of a recurrent model. */
export interface GateTraceEntry {
  layer: number;
  direction: "forward" | "reverse";
  panels: HeatPanel[];
}

/** Gate timeline: every gate and state of a recurrent layer over time. */
export interface GatesPlot {
  version: 1;
  kind: "gates";
  title: string;
  cell: "lstm" | "gru" | "rnn";
  /** Labels of the time axis, one per step (tokens, or "t=0", "t=1", ...). */
  tokens: string[];
  /** Hidden units per panel. */
  units: number;
  entries: GateTraceEntry[];
}

export type Plot = GatesPlot;
export type PlotKind = Plot["kind"];
export const PLOT_KINDS: readonly PlotKind[] = ["gates"];

export type Validation<T> = { ok: true; value: T } | { ok: false; errors: string[] };

/** Upper bounds that keep a payload renderable; builders downsample before reaching them. */
export const LIMITS = { maxSteps: 10_000, maxUnits: 4096, maxLabelLength: 200, maxEntries: 64 } as const;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Accepts the payload as an object or as a JSON string (tslab sends strings). */
export function parsePlot(raw: Json): Validation<Plot> {
  let value = raw;
  if (typeof raw === "string") {
    try {
      value = JSON.parse(raw);
    } catch (e) {
      return { ok: false, errors: [`the payload is not valid JSON (${(e as Error).message})`] };
    }
  }
  return validatePlot(value);
}

export function validatePlot(value: Json): Validation<Plot> {
  const errors: string[] = [];
  if (!isObject(value)) return { ok: false, errors: ["the payload must be a JSON object"] };
  if (value.version !== SCHEMA_VERSION) {
    return { ok: false, errors: [`unsupported payload version ${JSON.stringify(value.version)}; this renderer reads version ${SCHEMA_VERSION}`] };
  }
  if (typeof value.kind !== "string" || !(PLOT_KINDS as readonly string[]).includes(value.kind)) {
    return { ok: false, errors: [`unknown plot kind ${JSON.stringify(value.kind)}; known kinds: ${PLOT_KINDS.join(", ")}`] };
  }
  checkString(value, "title", errors);
  if (value.kind === "gates") validateGates(value, errors);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as unknown as Plot };
}

function checkString(obj: Record<string, Json>, key: string, errors: string[], where = ""): void {
  const v = obj[key];
  if (typeof v !== "string") errors.push(`${where}${key} must be a string`);
  else if (v.length > LIMITS.maxLabelLength) errors.push(`${where}${key} is longer than ${LIMITS.maxLabelLength} characters`);
}

function checkLabels(v: Json, key: string, errors: string[]): v is string[] {
  if (!Array.isArray(v) || v.some((s) => typeof s !== "string")) {
    errors.push(`${key} must be an array of strings`);
    return false;
  }
  if (v.length > LIMITS.maxSteps) errors.push(`${key} has ${v.length} entries; at most ${LIMITS.maxSteps}`);
  if (v.some((s: string) => s.length > LIMITS.maxLabelLength)) errors.push(`${key} has a label longer than ${LIMITS.maxLabelLength} characters`);
  return true;
}

function checkMatrix(z: Json, rows: number, cols: number, where: string, errors: string[]): void {
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

function validateGates(p: Record<string, Json>, errors: string[]): void {
  if (p.cell !== "lstm" && p.cell !== "gru" && p.cell !== "rnn") errors.push(`cell must be "lstm", "gru" or "rnn"`);
  const tokensOk = checkLabels(p.tokens, "tokens", errors);
  const units = p.units;
  if (typeof units !== "number" || !Number.isInteger(units) || units < 0 || units > LIMITS.maxUnits) {
    errors.push(`units must be an integer in [0, ${LIMITS.maxUnits}]`);
    return;
  }
  const entries = p.entries;
  if (!Array.isArray(entries) || entries.length === 0 || entries.length > LIMITS.maxEntries) {
    errors.push(`entries must be a non-empty array of at most ${LIMITS.maxEntries} layer/direction entries`);
    return;
  }
  if (!tokensOk) return;
  const steps = (p.tokens as string[]).length;
  entries.forEach((entry: Json, k: number) => {
    const where = `entries[${k}]`;
    if (!isObject(entry)) return void errors.push(`${where} must be an object`);
    if (typeof entry.layer !== "number" || !Number.isInteger(entry.layer) || entry.layer < 0) errors.push(`${where}.layer must be a non-negative integer`);
    if (entry.direction !== "forward" && entry.direction !== "reverse") errors.push(`${where}.direction must be "forward" or "reverse"`);
    if (!Array.isArray(entry.panels) || entry.panels.length === 0) return void errors.push(`${where}.panels must be a non-empty array`);
    entry.panels.forEach((panel: Json, j: number) => {
      const pw = `${where}.panels[${j}]`;
      if (!isObject(panel)) return void errors.push(`${pw} must be an object`);
      checkString(panel, "key", errors, `${pw}.`);
      checkString(panel, "label", errors, `${pw}.`);
      if (panel.colorScale !== "sequential" && panel.colorScale !== "diverging") errors.push(`${pw}.colorScale must be "sequential" or "diverging"`);
      if (typeof panel.zmin !== "number" || typeof panel.zmax !== "number" || !Number.isFinite(panel.zmin) || !Number.isFinite(panel.zmax) || panel.zmin > panel.zmax) {
        errors.push(`${pw}.zmin and zmax must be finite numbers with zmin ≤ zmax`);
      }
      checkMatrix(panel.z, steps, units, pw, errors);
    });
  });
}
