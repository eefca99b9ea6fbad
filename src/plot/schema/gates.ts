/** The gate timeline's payload (plot kind "gates"). */
import { checkLabels, checkMatrix, checkString, isObject, LIMITS, type CellKind, type ColorScale, type Json, type LayerDirection } from "./common.js";
import { checkInteger, checkObjects, checkOneOf } from "./checks.js";

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
export interface GateTraceEntry extends LayerDirection {
  panels: HeatPanel[];
}

/** Gate timeline: every gate and state of a recurrent layer over time. */
export interface GatesPlot {
  version: 1;
  kind: "gates";
  title: string;
  cell: CellKind;
  /** Labels of the time axis, one per step (tokens, or "t=0", "t=1", ...). */
  tokens: string[];
  /** Hidden units per panel. */
  units: number;
  entries: GateTraceEntry[];
}

export function validateGates(p: Record<string, Json>, errors: string[]): void {
  checkOneOf(p, "cell", ["lstm", "gru", "rnn"], errors);
  const tokensOk = checkLabels(p.tokens, "tokens", errors);
  if (!checkInteger(p, "units", errors, "", [0, LIMITS.maxUnits])) return;
  const units = p.units as number;
  const entries = checkObjects(p.entries, "entries", LIMITS.maxEntries, errors, "layer/direction entries");
  if (!entries || !tokensOk) return;
  const steps = (p.tokens as string[]).length;
  entries.forEach((entry, k) => {
    const where = `entries[${k}].`;
    checkInteger(entry, "layer", errors, where);
    checkOneOf(entry, "direction", ["forward", "reverse"], errors, where);
    checkObjects(entry.panels, `${where}panels`, Infinity, errors)?.forEach((panel, j) => checkPanel(panel, steps, units, `${where}panels[${j}]`, errors));
  });
}

/** One HeatPanel: key, label, colour scale, a finite zmin ≤ zmax and a steps × units matrix. */
export function checkPanel(panel: Json, steps: number, units: number, pw: string, errors: string[]): void {
  if (!isObject(panel)) return void errors.push(`${pw} must be an object`);
  checkString(panel, "key", errors, `${pw}.`);
  checkString(panel, "label", errors, `${pw}.`);
  checkOneOf(panel, "colorScale", ["sequential", "diverging"], errors, `${pw}.`);
  const { zmin, zmax } = panel;
  if (typeof zmin !== "number" || typeof zmax !== "number" || !Number.isFinite(zmin) || !Number.isFinite(zmax) || zmin > zmax) {
    errors.push(`${pw}.zmin and zmax must be finite numbers with zmin ≤ zmax`);
  }
  checkMatrix(panel.z, steps, units, pw, errors);
}
