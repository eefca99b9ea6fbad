/** The step-through cell diagram's payload (plot kind "cell"). */
import { checkLabels, checkString, isObject, LIMITS, type CellKind, type Json, type StepViewHeader } from "./common.js";
import { checkInteger, checkOneOf } from "./checks.js";
import { checkPanel, type HeatPanel } from "./gates.js";

/** The quantities each cell's diagram colours; a payload must carry all of them. */
export const CELL_KEYS = { lstm: ["i", "f", "g", "o", "c", "h"], gru: ["r", "z", "n", "h"], rnn: ["pre", "h"] } as const;

/**
 * One layer and direction of a recurrent model, step by step: the lecture's drawing of the cell
 * with its gates coloured by their values at step t, and a bar per unit of each quantity.
 */
export interface CellPlot extends StepViewHeader {
  version: 1;
  kind: "cell";
  units: number;
  /** One panel per quantity of CELL_KEYS[cell], z[step][unit]. */
  panels: HeatPanel[];
}

export function validateCell(p: Record<string, Json>, errors: string[]): void {
  if (!checkOneOf(p, "cell", ["lstm", "gru", "rnn"], errors)) return;
  checkString(p, "note", errors);
  checkInteger(p, "layer", errors);
  checkOneOf(p, "direction", ["forward", "reverse"], errors);
  if (!checkLabels(p.tokens, "tokens", errors)) return;
  const steps = (p.tokens as string[]).length;
  if (!Array.isArray(p.steps) || p.steps.length !== steps || p.steps.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 0)) {
    errors.push(`steps must be ${steps} non-negative integers (one per token)`);
  }
  if (!checkInteger(p, "units", errors, "", [1, LIMITS.maxUnits])) return;
  const units = p.units as number;
  if (!Array.isArray(p.panels)) return void errors.push("panels must be an array");
  const keys = p.panels.map((q: Json) => (isObject(q) ? q.key : undefined));
  const need: readonly string[] = CELL_KEYS[p.cell as CellKind];
  if (keys.length !== need.length || need.some((k, j) => keys[j] !== k)) errors.push(`panels must be ${need.join(", ")} in this order for a ${p.cell as string} cell`);
  p.panels.forEach((panel: Json, j: number) => checkPanel(panel, steps, units, `panels[${j}]`, errors));
}
