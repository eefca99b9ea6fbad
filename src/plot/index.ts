/**
 * seqlab's plots. Each function builds a versioned payload from a trace or a training log,
 * shows it in the notebook (interactive with the seqlab JupyterLab extension, text elsewhere)
 * and returns the payload.
 *
 * How a plot reaches JupyterLab: a builder here (e.g. gates.ts) makes the payload, emit.ts
 * validates it (schema.ts) and display.ts hands a MIME bundle to the kernel (tslab's display
 * writer, or the browser kernel's); the extension's renderer (extension/src/) validates it again
 * and its drawer for the kind (extension/src/plots/<kind>.ts) draws it with plotly.js.
 */
export { gates, gatesText, gatesSvg, type GatesOptions } from "./gates.js";
export { cell, cellText, cellSvg, type CellOptions } from "./cell.js";
export {
  training, trainingText, trainingSvg, liveTraining, type TrainingRun, type TrainingOptions, type LiveTraining, type LiveTrainingOptions,
} from "./training.js";
export { weights, weightsText, weightsSvg, type WeightsOptions } from "./weights.js";
export { states, statesText, statesSvg, type StatesOptions } from "./states.js";
export {
  gradientFlow, gradientHeatmap, gradientFlowText, gradientHeatmapText, gradientFlowSvg, gradientHeatmapSvg,
  type NamedNorms, type GradientFlowOptions, type GradientHeatmapOptions,
} from "./gradients.js";
export { saturation, saturationText, saturationSvg, type SaturationOptions } from "./saturation.js";
export { predictions, predictionsText, predictionsSvg, type PredictionsInput } from "./predictions.js";
export { bidirectional, bidirectionalText, bidirectionalSvg, type BidirectionalOptions } from "./bidirectional.js";
export { attention, attentionText, attentionSvg, type AttentionOptions } from "./attention.js";
export { playground, playgroundText, playgroundSvg, type PlaygroundOptions } from "./playground.js";
export { display, type MimeBundle } from "./display.js";
// The payloads: their types, their MIME type and the validator (a notebook can check a payload
// it built); the rest of the schema is in "seqlab/schema", the shared drawing code in "seqlab/drawing".
export {
  MIME_TYPE, validatePlot,
  type Plot, type PlotKind, type GatesPlot, type CellPlot, type TrainingPlot, type WeightsPlot, type StatesPlot, type GradientsPlot,
  type SaturationPlot, type PredictionsPlot, type BidirectionalPlot, type AttentionPlot, type PlaygroundPlot,
} from "./schema.js";
