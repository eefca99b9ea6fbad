/** The gate timeline's payload (plot kind "gates"). */
import { checkLabels, checkMatrix, checkString, isObject, LIMITS, type ColorScale, type Json } from "./common.js";

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


export function validateGates(p: Record<string, Json>, errors: string[]): void {
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
    entry.panels.forEach((panel: Json, j: number) => checkPanel(panel, steps, units, `${where}.panels[${j}]`, errors));
  });
}

/** One HeatPanel: key, label, colour scale, a finite zmin ≤ zmax and a steps × units matrix. */
export function checkPanel(panel: Json, steps: number, units: number, pw: string, errors: string[]): void {
  if (!isObject(panel)) return void errors.push(`${pw} must be an object`);
  checkString(panel, "key", errors, `${pw}.`);
  checkString(panel, "label", errors, `${pw}.`);
  if (panel.colorScale !== "sequential" && panel.colorScale !== "diverging") errors.push(`${pw}.colorScale must be "sequential" or "diverging"`);
  if (typeof panel.zmin !== "number" || typeof panel.zmax !== "number" || !Number.isFinite(panel.zmin) || !Number.isFinite(panel.zmax) || panel.zmin > panel.zmax) {
    errors.push(`${pw}.zmin and zmax must be finite numbers with zmin ≤ zmax`);
  }
  checkMatrix(panel.z, steps, units, pw, errors);
}
