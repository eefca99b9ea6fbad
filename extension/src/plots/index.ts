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

/** What a drawer may do beyond drawing into its host; most use none of it. */
export interface DrawContext {
  /** Aborted when the output is disposed or drawn anew: end any work still going (a training worker). */
  readonly signal: AbortSignal;
  /**
   * Replaces the output's data with `bundle` (MIME type → value), so that saving the notebook
   * keeps it. The renderer does not draw again for this change: the drawing already shows it.
   */
  keep(bundle: Readonly<Record<string, string | object>>): void;
}

type Drawer<K extends PlotKind> = (host: HTMLElement, plot: Extract<Plot, { kind: K }>, context: DrawContext) => Promise<void>;

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
