/**
 * What the extension's playground takes from the library besides `Experiment` (which trains in
 * its Web Worker): the runs table's columns and cells, the kept output bundle, and the training
 * chart's payload, so the page shows runs exactly as the kernel's `plot.playground` would.
 * Not part of seqlab's public API: `import("seqlab/playground")` from the extension only.
 */
export {
  keptPlaygroundRun, playgroundAbout, playgroundBundle, playgroundCall, playgroundCaveat, playgroundEndedText, playgroundRunCells, playgroundSummary, sweepSettings, PLAYGROUND_RUN_COLUMNS,
} from "./playground.js";
export { progressLine, trainingPayload } from "./training.js";
export { fmtOrGap } from "./emit.js";
export { experimentCode } from "../train/playground-code.js";
