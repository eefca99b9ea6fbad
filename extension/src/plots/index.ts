/**
 * One drawing function per plot kind. To add a kind: write extension/src/plots/<kind>.ts and
 * add it here (the compiler then insists every kind of the schema has a drawer).
 */
import type { Plot, PlotKind } from "seqlab/schema";
import { drawGates } from "./gates.js";
import { drawCell } from "./cell.js";
import { drawTraining } from "./training.js";
import { drawWeights } from "./weights.js";
import { drawStates } from "./states.js";
import { drawGradients } from "./gradients.js";
import { drawSaturation } from "./saturation.js";
import { drawPredictions } from "./predictions.js";
import { drawBidirectional } from "./bidirectional.js";
import { drawAttention } from "./attention.js";
import { drawPlayground } from "./playground.js";

type Drawer<K extends PlotKind> = (host: HTMLElement, plot: Extract<Plot, { kind: K }>) => Promise<void>;

export const DRAWERS: { [K in PlotKind]: Drawer<K> } = {
  gates: drawGates,
  cell: drawCell,
  training: drawTraining,
  weights: drawWeights,
  states: drawStates,
  gradients: drawGradients,
  saturation: drawSaturation,
  predictions: drawPredictions,
  bidirectional: drawBidirectional,
  attention: drawAttention,
  playground: drawPlayground,
};
