/**
 * Plot panels are drawn at their own width (layout.width). In an output narrower than a panel,
 * the panel shrinks to the width it has (not below MIN_WIDTH: narrower than that, the output
 * scrolls sideways), and it grows back to its own width when the room returns.
 */
import type { IDisposable } from "@lumino/disposable";
import { disposable } from "./disposable.js";
import { graphsIn, loadPlotly } from "./plotly.js";

const MIN_WIDTH = 240;

/** Per graph: the width its drawer gave it, and the width fitting last set. */
const widths = new WeakMap<HTMLElement, { own: number; set: number }>();

type Graph = HTMLElement & { layout?: { width?: number } };

/** Fits every plotly graph in `host` to the width of the element it sits in. */
export async function fitPlots(host: HTMLElement): Promise<void> {
  const graphs = graphsIn(host) as Graph[];
  if (!graphs.length || host.clientWidth === 0) return; // nothing drawn, or hidden (no width to fit to)
  const Plotly = await loadPlotly();
  for (const gd of graphs) {
    const width = gd.layout?.width;
    const parent = gd.parentElement;
    if (width === undefined || !parent) continue; // purged, or plotly's own autosize
    let w = widths.get(gd);
    // A drawer drew the graph again at its own width since fitting last set one.
    if (!w || w.set !== width) w = { own: width, set: width };
    const style = getComputedStyle(parent);
    const room = parent.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const want = Math.max(Math.min(w.own, MIN_WIDTH), Math.min(w.own, Math.floor(room)));
    w.set = want;
    widths.set(gd, w);
    if (want !== width) await Plotly.relayout(gd, { width: want });
  }
}

/** Calls `onResize` (at most once a frame) whenever `host` changes width, until disposed. */
export function followSize(host: HTMLElement, onResize: () => void): IDisposable {
  let width = -1;
  let frame = 0;
  const observer = new ResizeObserver((entries) => {
    const now = entries.at(-1)?.contentRect.width ?? width;
    if (now === width) return;
    width = now;
    cancelAnimationFrame(frame);
    frame = requestAnimationFrame(onResize);
  });
  observer.observe(host);
  return disposable(() => {
    cancelAnimationFrame(frame);
    observer.disconnect();
  });
}
