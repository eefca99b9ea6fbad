/**
 * The renderer widget: parse, validate, then hand the payload to the plot kind's drawer.
 * Anything wrong ends in an error box inside the output, never in an exception thrown into
 * JupyterLab, and no payload string is ever parsed as HTML.
 *
 * What a renderer creates ends with it: drawing anew purges the graphs the new drawing does not
 * keep, and dispose (the output cleared, the notebook closed) ends the drawing, purges every
 * graph and disconnects the theme and size observers.
 */
import type { IRenderMime } from "@jupyterlab/rendermime-interfaces";
import { Widget } from "@lumino/widgets";
import { MIME_TYPE, parsePlot } from "seqlab/schema";
import type { IDisposable } from "@lumino/disposable";
import { showError } from "./error-box.js";
import { graphsIn, purgeGraphs, purgePlots } from "./plotly.js";
import { fitPlots, followSize } from "./size.js";
import { followTheme } from "./theme.js";
import { DRAWERS, type DrawContext } from "./plots/index.js";

export class SeqlabPlot extends Widget implements IRenderMime.IRenderer {
  constructor() {
    super();
    this.addClass("seqlab-plot");
    // Keys pressed in a plot's controls (the slider's arrows, a select's letters) belong to the
    // control: without this, JupyterLab's notebook shortcuts take them (and move or collapse
    // cells). Lumino skips shortcuts for a target marked so, and the target of a key is the
    // focused control; marking on focus also covers controls a plot adds later (the playground).
    this.node.addEventListener("focusin", (event) => {
      if (event.target instanceof Element) event.target.setAttribute("data-lm-suppress-shortcuts", "true");
    });
    // One watcher of each per output, for every kind: plotly's colours follow a theme switch,
    // and panels fit the output's width.
    this.watchers = [followTheme(this.node), followSize(this.node, () => void fitPlots(this.node))];
  }

  private readonly watchers: IDisposable[];

  /** The current drawing's context: aborted when the output goes or is drawn anew. */
  private drawing: AbortController | null = null;
  /** The model the output holds now, and the payload a drawer last wrote into it (see DrawContext.keep). */
  private model: IRenderMime.IMimeModel | null = null;
  private kept: unknown = undefined;

  override dispose(): void {
    if (this.isDisposed) return;
    this.drawing?.abort();
    for (const w of this.watchers) w.dispose();
    purgePlots(this.node);
    super.dispose();
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.model = model;
    // JupyterLab renders the output again after every setData; for our own write the drawing is
    // current, and drawing anew would end the work it is doing (and write, and draw, in a loop).
    if (this.kept !== undefined && model.data[MIME_TYPE] === this.kept) return;
    this.drawing?.abort();
    const drawing = new AbortController();
    this.drawing = drawing;
    this.kept = undefined;
    const context: DrawContext = {
      signal: drawing.signal,
      keep: (bundle) => {
        if (drawing.signal.aborted || !this.model) return;
        this.kept = bundle[MIME_TYPE];
        this.model.setData({ data: bundle as unknown as IRenderMime.IMimeModel.ISetDataOptions["data"] });
      },
    };
    // Graphs of the previous drawing that the new one does not put back (training keeps its panels) end after it.
    const previous = graphsIn(this.node);
    this.node.replaceChildren();
    try {
      await this.draw(model, context);
    } finally {
      purgeGraphs(previous.filter((gd) => !this.node.contains(gd)));
      // Disposed while drawing: what the drawer drew after dispose ends here.
      if (this.isDisposed) purgePlots(this.node);
    }
    if (!drawing.signal.aborted) await fitPlots(this.node);
  }

  private async draw(model: IRenderMime.IMimeModel, context: DrawContext): Promise<void> {
    const parsed = parsePlot(model.data[MIME_TYPE]);
    if (!parsed.ok) {
      showError(this.node, "This seqlab plot cannot be shown", parsed.errors);
      return;
    }
    try {
      const plot = parsed.value;
      const draw = DRAWERS[plot.kind] as (host: HTMLElement, p: typeof plot, context: DrawContext) => Promise<void>;
      await draw(this.node, plot, context);
    } catch (e) {
      purgePlots(this.node);
      this.node.replaceChildren();
      showError(this.node, "This seqlab plot failed to draw", [String((e as Error)?.message ?? e)]);
    }
  }
}
