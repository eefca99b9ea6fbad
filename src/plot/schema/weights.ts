/** The weight-matrix payload (plot kind "weights"). */
import { checkNumber, checkObjects, checkRows, checkStepIndices } from "./checks.js";
import { checkString, type Json } from "./common.js";

/** Rows [start, end) of the matrix that belong to one gate, e.g. rows 0…H−1 of weight_ih_l0 = i. */
export interface WeightBlock {
  /** Short key, e.g. "i". */
  key: string;
  /** What a student reads, e.g. "input gate i". */
  label: string;
  start: number;
  end: number;
}

/** A weight matrix (or bias vector, as one column) as a diverging heatmap with its gate blocks. */
export interface WeightsPlot {
  version: 1;
  kind: "weights";
  title: string;
  note: string;
  /** The parameter's name, e.g. "weight_ih_l0". */
  name: string;
  /** The full matrix's rows and columns (before any averaging). */
  rows: number;
  cols: number;
  rowTitle: string;
  colTitle: string;
  /** The first full-matrix row / column of each drawn row / column (0, 1, … unless averaged). */
  rowStarts: number[];
  colStarts: number[];
  /** z[row][col] of the drawn matrix; null where the weight is NaN/Inf. */
  z: (number | null)[][];
  /** The colour scale is −zmax … zmax (white = 0). */
  zmax: number;
  blocks: WeightBlock[];
}

/** Drawn rows/columns at most (builders average bigger matrices down). */
export const MAX_WEIGHT_CELLS = 512;

export function validateWeights(p: Record<string, Json>, errors: string[]): void {
  for (const key of ["note", "name", "rowTitle", "colTitle"]) checkString(p, key, errors);
  const dimsOk = checkNumber(p, "rows", errors, "", { integer: true, min: 1 }) && checkNumber(p, "cols", errors, "", { integer: true, min: 1 });
  checkNumber(p, "zmax", errors, "", { positive: true });
  if (!dimsOk) return;
  const rows = p.rows as number;
  const cols = p.cols as number;
  for (const [key, n] of [["rowStarts", rows], ["colStarts", cols]] as const) {
    const v = p[key];
    if (!Array.isArray(v) || v.length === 0 || v.length > Math.min(n, MAX_WEIGHT_CELLS) || v.some((s) => typeof s !== "number" || s >= n)) {
      return void errors.push(`${key} must hold 1 to ${Math.min(n, MAX_WEIGHT_CELLS)} indices below ${n}`);
    }
    if (!checkStepIndices(v, v.length, key, errors)) return;
  }
  checkRows(p.z, (p.rowStarts as number[]).length, (p.colStarts as number[]).length, "z", errors, { nullable: true });
  if (!Array.isArray(p.blocks)) return void errors.push("blocks must be an array");
  if (p.blocks.length === 0) return;
  checkObjects(p.blocks, "blocks", 16, errors)?.forEach((b, k) => {
    checkString(b, "key", errors, `blocks[${k}].`);
    checkString(b, "label", errors, `blocks[${k}].`);
    if (checkNumber(b, "start", errors, `blocks[${k}].`, { integer: true, min: 0 }) && checkNumber(b, "end", errors, `blocks[${k}].`, { integer: true, min: 1, max: rows })) {
      if ((b.start as number) >= (b.end as number)) errors.push(`blocks[${k}] must have start < end`);
    }
  });
}
