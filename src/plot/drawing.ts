/**
 * Drawing code shared by the library's pictures (SVG and text) and the JupyterLab extension's
 * plotly drawers, so both show the same colours, the same cell diagram and the same labels:
 * `import { COLOR_STOPS, cellDiagram } from "seqlab/drawing"`. No dependencies.
 */
export * from "./colors.js";
export * from "./diagram.js";
export * from "./ticks.js";
export * from "./labels.js";
