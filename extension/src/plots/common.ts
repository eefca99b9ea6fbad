/**
 * What the plot drawers share: the title and note above a plot, panels, a select box, and a
 * plotly layout that follows JupyterLab's theme. Every payload string reaches the page through textContent or `plain()`.
 */
import type { Layout, PlotlyHTMLElement } from "plotly.js";
import { type ColorScale } from "seqlab/schema";
import { COLOR_STOPS, legendTicks, SERIES_COLORS } from "seqlab/drawing";
import { onPurge, plain, themeColors } from "../plotly.js";

export const SEQUENTIAL = COLOR_STOPS.sequential.map(([p, c]) => [p, c] as [number, string]);
export const DIVERGING = COLOR_STOPS.diverging.map(([p, c]) => [p, c] as [number, string]);
export const seriesColor = (k: number): string => SERIES_COLORS[k % SERIES_COLORS.length]!;

/**
 * A colour bar's ticks: its two ends and the middle, as the static pictures label them.
 * plotly's own choice (nticks) can leave a small range such as ±0.45 with only "0".
 */
export function colorbarTicks(zmin: number, zmax: number, scale: ColorScale): { tickmode: "array"; tickvals: number[]; ticktext: string[] } {
  const { values, labels } = legendTicks(zmin, zmax, scale);
  return { tickmode: "array", tickvals: values, ticktext: labels };
}

/** The plot's title and, when there is one, its note (what was downsampled or left out). */
export function header(host: HTMLElement, title: string, note: string): void {
  const t = document.createElement("div");
  t.className = "seqlab-title";
  t.textContent = title;
  host.appendChild(t);
  if (note) {
    const n = document.createElement("div");
    n.className = "seqlab-note";
    n.textContent = note;
    host.appendChild(n);
  }
}

/** A flex row of panels. */
export function grid(host: HTMLElement): HTMLElement {
  const g = document.createElement("div");
  g.className = "seqlab-grid";
  host.appendChild(g);
  return g;
}

/** One plotly graph's container; `key` names it for tests and styles. */
export function panel(parent: HTMLElement, key: string): HTMLElement {
  const div = document.createElement("div");
  div.className = "seqlab-panel";
  div.dataset.key = key;
  parent.appendChild(div);
  return div;
}

/** A labelled select box; options' text is set with textContent. */
/** A button of the plots' controls, appended to `parent`; `part` names it for styles and tests. */
export function controlButton(parent: HTMLElement | null, text: string, part: string, className = "seqlab-play"): HTMLButtonElement {
  const b = document.createElement("button");
  b.className = className;
  b.type = "button";
  b.dataset.part = part;
  b.textContent = text;
  parent?.appendChild(b);
  return b;
}

export function selectBox(host: HTMLElement, label: string, options: readonly string[], onChange: (index: number) => void): HTMLSelectElement {
  const select = document.createElement("select");
  select.className = "seqlab-select";
  select.setAttribute("aria-label", label);
  options.forEach((text, k) => {
    const option = document.createElement("option");
    option.value = String(k);
    option.textContent = text;
    select.appendChild(option);
  });
  select.addEventListener("change", () => onChange(Number(select.value)));
  host.appendChild(select);
  return select;
}

/** A layout in the theme's colours with a panel title and axis titles (all plain text). */
export function themedLayout(host: HTMLElement, o: { title?: string; xTitle?: string; yTitle?: string; width: number; height: number }): Partial<Layout> {
  const colors = themeColors(host);
  const axis = (title?: string) => ({ title: { text: title ? plain(title) : "" }, gridcolor: colors.grid, zerolinecolor: colors.grid });
  return {
    title: o.title ? { text: plain(o.title), font: { size: 13 } } : undefined,
    width: o.width,
    height: o.height,
    margin: { l: 56, r: 12, t: o.title ? 34 : 10, b: 48 },
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { color: colors.font, size: 11 },
    xaxis: axis(o.xTitle),
    yaxis: axis(o.yTitle),
    hoverlabel: { namelength: -1 },
  };
}

/** Tick labels from tokens: plain text, long ones cut (the hover has the full token). */
export function tickLabels(tokens: readonly string[]): string[] {
  return tokens.map((t) => plain(t.length > 14 ? `${t.slice(0, 13)}…` : t));
}

export const CONFIG = { displayModeBar: false, responsive: false } as const;

const following = new WeakSet<HTMLElement>();

/**
 * Moves a graph's hover label to the pointer. plotly anchors the label of a heatmap cell or a
 * bar at the cell's (bar's) far edge, so with a few wide cells (05's three steps) or a long bar
 * it appeared far from the pointer, over the colour bar. The label's translate is the tip of
 * its arrow: setting it to the pointer keeps plotly's own label, text and side.
 */
export function hoverAtPointer(gd: PlotlyHTMLElement): void {
  if (following.has(gd)) return;
  following.add(gd);
  let pointer: { x: number; y: number } | null = null;
  const move = (): void => {
    const label = gd.querySelector(".hoverlayer .hovertext");
    const svg = label instanceof SVGGraphicsElement ? label.ownerSVGElement : null;
    if (!label || !svg || !pointer) return;
    const box = svg.getBoundingClientRect();
    const at = `translate(${(pointer.x - box.left).toFixed(1)},${(pointer.y - box.top).toFixed(1)})`;
    if (label.getAttribute("transform") !== at) label.setAttribute("transform", at);
  };
  gd.addEventListener("mousemove", (ev) => {
    pointer = { x: ev.clientX, y: ev.clientY };
    move();
  });
  gd.addEventListener("mouseleave", () => (pointer = null));
  // plotly redraws the label (throttled, up to 50 ms after a move, with or without a
  // plotly_hover event): put it back at the pointer whenever it does, before the next paint.
  const observer = new MutationObserver(move);
  observer.observe(gd, { subtree: true, childList: true, attributes: true, attributeFilter: ["transform"] });
  onPurge(gd, () => {
    observer.disconnect();
    following.delete(gd);
  });
}
