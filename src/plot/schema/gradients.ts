/**
 * Gradient flow (plot kind "gradients"): ‖∂L/∂h_t‖ against t for several models ("flow"), or
 * over training steps × t ("heatmap"). Norms go on a log scale, so every value is above zero;
 * zeros and NaN/Inf are null (gaps) and the note says how many.
 */
import { checkString, LIMITS, type Json } from "./common.js";
import { checkNumbers, checkObjects, checkOneOf, checkRows } from "./checks.js";

/** One model's (or layer's) gradient norms: norms[k] at time step t[k]. */
export interface GradientSeries {
  name: string;
  t: number[];
  norms: (number | null)[];
}

export interface GradientFlowPlot {
  version: 1;
  kind: "gradients";
  view: "flow";
  title: string;
  note: string;
  series: GradientSeries[];
}

/** z[row][col]: the norm at time step t[col], recorded at training step trainingSteps[row]. */
export interface GradientHeatmapPlot {
  version: 1;
  kind: "gradients";
  view: "heatmap";
  title: string;
  note: string;
  t: number[];
  trainingSteps: number[];
  z: (number | null)[][];
}

export type GradientsPlot = GradientFlowPlot | GradientHeatmapPlot;

const STEP = { integer: true, min: 0 } as const;
const NORM = { nullable: true, positive: true } as const;

export function validateGradients(p: Record<string, Json>, errors: string[]): void {
  checkString(p, "note", errors);
  if (!checkOneOf(p, "view", ["flow", "heatmap"], errors)) return;
  if (p.view === "flow") {
    const series = checkObjects(p.series, "series", LIMITS.maxEntries, errors);
    series?.forEach((s, k) => {
      checkString(s, "name", errors, `series[${k}].`);
      if (checkNumbers(s.t, null, `series[${k}].t`, errors, STEP, LIMITS.maxSteps)) {
        checkNumbers(s.norms, (s.t as number[]).length, `series[${k}].norms`, errors, NORM);
      }
    });
    return;
  }
  if (!checkNumbers(p.t, null, "t", errors, STEP, LIMITS.maxSteps)) return;
  if (!checkNumbers(p.trainingSteps, null, "trainingSteps", errors, STEP, LIMITS.maxSteps)) return;
  const rows = (p.trainingSteps as number[]).length;
  const cols = (p.t as number[]).length;
  if (rows * cols > 4_000_000) return void errors.push(`the heatmap has ${rows} × ${cols} cells; at most 4,000,000`);
  checkRows(p.z, rows, cols, "z", errors, NORM);
}
