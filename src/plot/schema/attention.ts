/**
 * Attention weights (plot kind "attention"): A[t][s], how much query position t reads from
 * position s, for one sequence. Each full row of a softmax sums to 1; values live in [0, 1].
 */
import { checkLabels, checkString, type Json } from "./common.js";
import { checkRows, checkStepIndices } from "./checks.js";

export interface AttentionPlot {
  version: 1;
  kind: "attention";
  title: string;
  /** Under the title, e.g. "showing 200 evenly spaced of 500 positions" ("" when nothing to say). */
  note: string;
  /** One label per position shown (the same for rows and columns). */
  tokens: string[];
  /** The position in the sequence of each row/column shown. */
  positions: number[];
  /** weights[t][s] in [0, 1]: query row t, key column s; null is a gap. */
  weights: (number | null)[][];
}

export function validateAttention(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  if (!checkLabels(p.tokens, "tokens", errors)) return;
  const n = (p.tokens as string[]).length;
  checkStepIndices(p.positions, n, "positions", errors);
  checkRows(p.weights, n, n, "weights", errors, { nullable: true, min: 0, max: 1 });
}
