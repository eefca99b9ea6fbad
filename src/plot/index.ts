/**
 * seqlab's plots. Each function builds a versioned payload from a trace or a training log,
 * shows it in the notebook (interactive with the seqlab JupyterLab extension, text elsewhere)
 * and returns the payload.
 */
export { gates, gatesText, type GatesOptions } from "./gates.js";
export { display, inNotebook, newDisplayId, type MimeBundle } from "./display.js";
export * from "./schema.js";
