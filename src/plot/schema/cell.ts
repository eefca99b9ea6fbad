/** The step-through cell diagram's payload (plot kind "cell"). */
import { checkLabels, checkString, isObject, LIMITS, type Json } from "./common.js";
import { checkPanel, type HeatPanel } from "./gates.js";

/** The quantities each cell's diagram colours; a payload must carry all of them. */
export const CELL_KEYS = { lstm: ["i", "f", "g", "o", "c", "h"], gru: ["r", "z", "n", "h"], rnn: ["pre", "h"] } as const;

/**
 * One layer and direction of a recurrent model, step by step: the lecture's drawing of the cell
 * with its gates coloured by their values at step t, and a bar per unit of each quantity.
 */
export interface CellPlot {
  version: 1;
  kind: "cell";
  title: string;
  /** Under the title: e.g. "showing 1000 evenly spaced of 10000 steps" ("" when nothing to say). */
  note: string;
  cell: "lstm" | "gru" | "rnn";
  layer: number;
  direction: "forward" | "reverse";
  /** One label per step shown (tokens or "t=0", …). */
  tokens: string[];
  /** The step index in the sequence of each column (differs from 0, 1, … when steps were left out). */
  steps: number[];
  units: number;
  /** One panel per quantity of CELL_KEYS[cell], z[step][unit]. */
  panels: HeatPanel[];
}

export function validateCell(p: Record<string, Json>, errors: string[]): void {
  if (p.cell !== "lstm" && p.cell !== "gru" && p.cell !== "rnn") return void errors.push(`cell must be "lstm", "gru" or "rnn"`);
  checkString(p, "note", errors);
  if (typeof p.layer !== "number" || !Number.isInteger(p.layer) || p.layer < 0) errors.push("layer must be a non-negative integer");
  if (p.direction !== "forward" && p.direction !== "reverse") errors.push(`direction must be "forward" or "reverse"`);
  if (!checkLabels(p.tokens, "tokens", errors)) return;
  const steps = (p.tokens as string[]).length;
  if (!Array.isArray(p.steps) || p.steps.length !== steps || p.steps.some((s) => typeof s !== "number" || !Number.isInteger(s) || s < 0)) {
    errors.push(`steps must be ${steps} non-negative integers (one per token)`);
  }
  const units = p.units;
  if (typeof units !== "number" || !Number.isInteger(units) || units < 1 || units > LIMITS.maxUnits) return void errors.push(`units must be an integer in [1, ${LIMITS.maxUnits}]`);
  if (!Array.isArray(p.panels)) return void errors.push("panels must be an array");
  const keys = p.panels.map((q: Json) => (isObject(q) ? q.key : undefined));
  const need: readonly string[] = CELL_KEYS[p.cell];
  if (keys.length !== need.length || need.some((k, j) => keys[j] !== k)) errors.push(`panels must be ${need.join(", ")} in this order for a ${p.cell} cell`);
  p.panels.forEach((panel: Json, j: number) => checkPanel(panel, steps, units, `panels[${j}]`, errors));
}
