/**
 * Bidirectional view (plot kind "bidirectional"): the forward and the backward direction's
 * h_t per token, and their concatenation [h_fwd ; h_bwd], which is what the next layer reads.
 */
import { checkLabels, checkString, LIMITS, type Json } from "./common.js";
import { checkNumber, checkOneOf, checkRows, checkStepIndices } from "./checks.js";

export interface BidirectionalPlot {
  version: 1;
  kind: "bidirectional";
  title: string;
  note: string;
  cell: "lstm" | "gru" | "rnn";
  layer: number;
  tokens: string[];
  /** The time step t of each row. */
  steps: number[];
  /** Units per direction (the concatenation has twice as many). */
  units: number;
  /** Half-width of the shared symmetric colour scale. */
  zmax: number;
  /** forward[row][unit]: h_t of the left-to-right pass. */
  forward: (number | null)[][];
  /** backward[row][unit]: h_t of the right-to-left pass, at the same token. */
  backward: (number | null)[][];
}

export function validateBidirectional(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  checkOneOf(p, "cell", ["lstm", "gru", "rnn"], errors);
  checkNumber(p, "layer", errors, "", { integer: true, min: 0 });
  checkNumber(p, "zmax", errors, "", { positive: true });
  if (!checkLabels(p.tokens, "tokens", errors)) return;
  if (!checkNumber(p, "units", errors, "", { integer: true, min: 1, max: LIMITS.maxUnits })) return;
  const rows = (p.tokens as string[]).length;
  checkStepIndices(p.steps, rows, "steps", errors);
  checkRows(p.forward, rows, p.units as number, "forward", errors, { nullable: true });
  checkRows(p.backward, rows, p.units as number, "backward", errors, { nullable: true });
}
