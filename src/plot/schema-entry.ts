/**
 * `seqlab/schema`: what a renderer of seqlab's plots needs, and nothing else: every payload
 * type, the MIME type, the validator, and the playground's settings (its payload carries them).
 * The per-kind validators and check helpers stay internal (src/plot/schema/).
 */
export type * from "./schema.js";
export { MIME_TYPE, SCHEMA_VERSION, LIMITS, PLOT_KINDS, parsePlot, validatePlot } from "./schema.js";
export {
  PLAYGROUND_PARAMS, PLAYGROUND_PARAM_NAMES, PLAYGROUND_MAX_RUNS, PLAYGROUND_MAX_POINTS, PLAYGROUND_RUNS_VERSION, PLAYGROUND_ENDINGS, defaultPlaygroundState,
  PLAYGROUND_CHOICE_NAMES, PLAYGROUND_SWEEP_MAX_VALUES, PLAYGROUND_TASKS, PLAYGROUND_CELLS, PLAYGROUND_TASK_ABOUT, PLAYGROUND_TEXT_MAX, choicesOf, playgroundParamApplies,
} from "./schema.js";
