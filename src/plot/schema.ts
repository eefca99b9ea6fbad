/**
 * The plot payload: the JSON document that seqlab's plot functions emit as
 * `application/vnd.seqlab.v1+json` and that the JupyterLab extension renders. It is versioned
 * and validated on both sides, so a hostile or broken payload can only ever produce an error box.
 *
 * This module has no dependencies: the extension bundles it (`import ... from "seqlab/schema"`).
 */

import { checkString, isObject, SCHEMA_VERSION, type Json, type Validation } from "./schema/common.js";
import { validateGates, type GatesPlot } from "./schema/gates.js";
import { validateCell, type CellPlot } from "./schema/cell.js";
import { validateTraining, type TrainingPlot } from "./schema/training.js";
import { validateWeights, type WeightsPlot } from "./schema/weights.js";
import { validateStates, type StatesPlot } from "./schema/states.js";
import { validateGradients, type GradientsPlot } from "./schema/gradients.js";
import { validateSaturation, type SaturationPlot } from "./schema/saturation.js";
import { validatePredictions, type PredictionsPlot } from "./schema/predictions.js";
import { validateBidirectional, type BidirectionalPlot } from "./schema/bidirectional.js";
import { validateAttention, type AttentionPlot } from "./schema/attention.js";
import { validatePlayground, type PlaygroundPlot } from "./schema/playground.js";

export * from "./schema/common.js";
export * from "./schema/gates.js";
export * from "./schema/cell.js";
export * from "./schema/training.js";
export * from "./schema/weights.js";
export * from "./schema/states.js";
export * from "./schema/gradients.js";
export * from "./schema/saturation.js";
export * from "./schema/predictions.js";
export * from "./schema/bidirectional.js";
export * from "./schema/attention.js";
export * from "./schema/playground.js";

// Each plot kind lives in src/plot/schema/<kind>.ts: its payload type and its validator.
// To add a kind: add it to `Plot` and to `VALIDATORS` below.
export type Plot = GatesPlot | CellPlot | TrainingPlot | WeightsPlot | StatesPlot | GradientsPlot | SaturationPlot | PredictionsPlot | BidirectionalPlot | AttentionPlot | PlaygroundPlot;
export type PlotKind = Plot["kind"];

const VALIDATORS: { [K in PlotKind]: (payload: Record<string, unknown>, errors: string[]) => void } = {
  gates: validateGates,
  cell: validateCell,
  training: validateTraining,
  weights: validateWeights,
  states: validateStates,
  gradients: validateGradients,
  saturation: validateSaturation,
  predictions: validatePredictions,
  bidirectional: validateBidirectional,
  attention: validateAttention,
  playground: validatePlayground,
};
export const PLOT_KINDS = Object.keys(VALIDATORS) as PlotKind[];

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
  VALIDATORS[value.kind as PlotKind](value, errors);
  return errors.length ? { ok: false, errors } : { ok: true, value: value as unknown as Plot };
}

