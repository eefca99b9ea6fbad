/**
 * seqlab's plots. Each function builds a versioned payload from a trace or a training log,
 * shows it in the notebook (interactive with the seqlab JupyterLab extension, text elsewhere)
 * and returns the payload.
 */
export { gates, gatesText, gatesSvg, type GatesOptions } from "./gates.js";
export { cell, cellText, cellSvg, type CellOptions } from "./cell.js";
export {
  training, trainingPayload, trainingText, trainingSvg, liveTraining, progressLine, hyperparameterText,
  type TrainingRun, type TrainingOptions, type LiveTraining, type LiveTrainingOptions,
} from "./training.js";
export { weights, weightsText, weightsSvg, type WeightsOptions } from "./weights.js";
export { states, statesText, statesSvg, traceEntry, type StatesOptions } from "./states.js";
export {
  gradientFlow, gradientHeatmap, gradientFlowText, gradientHeatmapText, gradientFlowSvg, gradientHeatmapSvg,
  type NamedNorms, type GradientFlowOptions, type GradientHeatmapOptions,
} from "./gradients.js";
export { saturation, saturationText, saturationSvg, type SaturationOptions } from "./saturation.js";
export { predictions, predictionsText, predictionsSvg, type PredictionsInput } from "./predictions.js";
export { bidirectional, bidirectionalText, bidirectionalSvg, type BidirectionalOptions } from "./bidirectional.js";
export { attention, attentionText, attentionSvg, type AttentionOptions } from "./attention.js";
export {
  playground, playgroundText, playgroundSvg, playgroundBundle, playgroundRunCells, playgroundEndedText, keptPlaygroundRun, PLAYGROUND_RUN_COLUMNS, type PlaygroundOptions,
} from "./playground.js";
export { pca2, type PCA2 } from "./pca.js";
export { display, inNotebook, newDisplayId, type MimeBundle } from "./display.js";
export { fmtOrGap } from "./emit.js";
export * from "./schema.js";
