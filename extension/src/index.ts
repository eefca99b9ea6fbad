/**
 * The JupyterLab MIME extension: one renderer factory for seqlab's plot payloads.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { MIME_TYPE } from "seqlab/schema";
import { SeqlabPlot } from "./renderer.js";

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [MIME_TYPE],
  createRenderer: () => new SeqlabPlot(),
};

const extension: IRenderMime.IExtension = {
  id: "@seqlab/jupyterlab:plots",
  rendererFactory,
  // Above JupyterLab's image and text renderers, so the interactive view wins where we are installed.
  rank: 10,
  dataType: "json",
};

export default extension;
