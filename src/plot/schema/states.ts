/** State trajectories (plot kind "states"): h_t (and c_t) per unit over time, and a 2-D PCA of h_t. */
import { checkLabels, checkString, isObject, LIMITS, type Json, type StepViewHeader } from "./common.js";
import { checkNumber, checkNumbers, checkObjects, checkOneOf, checkRows, checkStepIndices } from "./checks.js";

/** One state quantity over time for the units shown: z[row][k] is unit `unitIds[k]` at step `steps[row]`. */
export interface StateSeries {
  key: "h" | "c";
  /** What a student reads, e.g. "hidden state h_t". */
  label: string;
  /** The largest |value|: lines share a symmetric y range. */
  zmax: number;
  z: (number | null)[][];
}

/** The hidden states projected onto their two principal components, one point per row. */
export interface StatesPCA {
  /** null where h_t held NaN or ±Inf (left out of the PCA). */
  x: (number | null)[];
  y: (number | null)[];
  /** Fraction of the variance along PC1 and PC2. */
  explained: [number, number];
}

export interface StatesPlot extends StepViewHeader {
  version: 1;
  kind: "states";
  /** Which hidden units the lines show (all of them, up to a limit). */
  unitIds: number[];
  series: StateSeries[];
  /** Null when fewer than two steps have finite states. */
  pca: StatesPCA | null;
}

export function validateStates(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  checkOneOf(p, "cell", ["lstm", "gru", "rnn"], errors);
  checkOneOf(p, "direction", ["forward", "reverse"], errors);
  checkNumber(p, "layer", errors, "", { integer: true, min: 0 });
  if (!checkLabels(p.tokens, "tokens", errors)) return;
  const rows = (p.tokens as string[]).length;
  checkStepIndices(p.steps, rows, "steps", errors);
  if (!checkNumbers(p.unitIds, null, "unitIds", errors, { integer: true, min: 0 }, LIMITS.maxUnits)) return;
  const units = (p.unitIds as number[]).length;
  const series = checkObjects(p.series, "series", 2, errors);
  series?.forEach((s, k) => {
    const where = `series[${k}].`;
    checkOneOf(s, "key", ["h", "c"], errors, where);
    checkString(s, "label", errors, where);
    checkNumber(s, "zmax", errors, where, { positive: true });
    checkRows(s.z, rows, units, `${where}z`, errors, { nullable: true });
  });
  if (p.pca === null) return;
  if (!isObject(p.pca)) return void errors.push("pca must be an object or null");
  checkNumbers(p.pca.x, rows, "pca.x", errors, { nullable: true });
  checkNumbers(p.pca.y, rows, "pca.y", errors, { nullable: true });
  checkNumbers(p.pca.explained, 2, "pca.explained", errors, { min: 0, max: 1 });
}
