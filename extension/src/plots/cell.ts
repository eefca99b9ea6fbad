/**
 * Step-through cell diagram: the lecture's drawing of the cell (geometry shared with the
 * kernel's static picture, `cellDiagram` in the library), a time slider with play/pause, and a
 * bar chart of each quantity per unit at step t.
 *
 * Scrubbing must keep up with the pointer, so every frame is computed once up front (colours,
 * value texts, bar geometry per step) and a slider move only copies one step's attributes into
 * the existing elements, at most once per animation frame. No plotly here: plain SVG.
 */
import { type CellPlot, type HeatPanel } from "seqlab/schema";
import { boundColor, boundText, cellDiagram, colorAt, contrastText, legendTicks, stepMean, valueText, type Shape } from "seqlab/drawing";
import { header } from "./common.js";

const NS = "http://www.w3.org/2000/svg";

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/** One attribute of one element, with its value at every step. */
interface Track {
  el: Element;
  attr: string | null; // null: textContent
  values: string[];
}

const BAR_W = 176;
const BAR_H = 100;
const BAR_TOP = 22;
const BAR_BOTTOM = 14;
/**
 * The value scale sits at the left of its own chart, under its title: at the right edge it
 * read as the scale of the next chart (o_t seemed to run from −1 to 1, g_t's range).
 */
const BAR_LEFT = 36;
const BAR_RIGHT = 4;

/** Shows a line of text next to the pointer (a plotly-like hover), or hides it. */
type Hover = (text: string | null, ev?: PointerEvent) => void;

/**
 * A bar per unit of one quantity. All bars of one sign are one <path> whose outline for every
 * step is precomputed, so a step costs two attribute writes however many units there are.
 */
function barChart(panel: HeatPanel, units: number, steps: number, tracks: Track[], hover: Hover): SVGSVGElement {
  const svg = svgEl("svg", { width: BAR_W, height: BAR_H, viewBox: `0 0 ${BAR_W} ${BAR_H}`, class: "seqlab-bars" });
  svg.dataset.key = panel.key;
  const title = svgEl("text", { x: 2, y: 12, "font-size": 11, "font-weight": 600, fill: "currentColor" });
  title.textContent = panel.label;
  svg.appendChild(title);
  const plotH = BAR_H - BAR_TOP - BAR_BOTTOM;
  const span = panel.zmax > panel.zmin ? panel.zmax - panel.zmin : 1;
  const yOf = (v: number): number => BAR_TOP + plotH * (1 - (Math.min(panel.zmax, Math.max(panel.zmin, v)) - panel.zmin) / span);
  const base = yOf(Math.min(panel.zmax, Math.max(panel.zmin, 0)));
  svg.appendChild(svgEl("line", { x1: BAR_LEFT, x2: BAR_W - BAR_RIGHT, y1: base, y2: base, stroke: "currentColor", "stroke-opacity": 0.4 }));
  svg.appendChild(svgEl("line", { x1: BAR_LEFT, x2: BAR_LEFT, y1: BAR_TOP, y2: BAR_TOP + plotH, stroke: "currentColor", "stroke-opacity": 0.5, "data-part": "axis" }));
  // The gate's own range, as the colour legends label it: σ gates 0–1, tanh −1–1, states ±max.
  const ticks = legendTicks(panel.zmin, panel.zmax, panel.colorScale);
  ticks.values.forEach((v, k) => {
    const y = yOf(v);
    svg.appendChild(svgEl("line", { x1: BAR_LEFT - 3, x2: BAR_LEFT, y1: y, y2: y, stroke: "currentColor", "stroke-opacity": 0.5 }));
    const label = svgEl("text", { x: BAR_LEFT - 5, y: y + 3, "text-anchor": "end", "font-size": 9, fill: "currentColor", "fill-opacity": 0.75, "data-part": "tick" });
    label.textContent = ticks.labels[k]!;
    svg.appendChild(label);
  });
  const slot = (BAR_W - BAR_LEFT - BAR_RIGHT) / Math.max(1, units);
  svg.dataset.slot = String(slot);
  svg.dataset.left = String(BAR_LEFT);
  // Sign carries the colour (the diagram's boxes carry the colour scale); height carries the value.
  const signed = panel.colorScale === "diverging";
  const up = svgEl("path", { fill: colorAt(panel.colorScale, signed ? 0.85 : 0.6), "data-part": "bars-up" });
  const down = svgEl("path", { fill: colorAt(panel.colorScale, 0.15), "data-part": "bars-down" });
  const upD: string[] = [];
  const downD: string[] = [];
  const w = Math.max(0.5, slot * 0.8).toFixed(2);
  for (let t = 0; t < steps; t++) {
    let pos = "";
    let neg = "";
    const row = panel.z[t]!;
    for (let u = 0; u < units; u++) {
      const v = row[u] ?? null;
      if (v === null) continue;
      const y = yOf(v);
      const bar = `M${(BAR_LEFT + u * slot + slot * 0.1).toFixed(2)} ${Math.min(y, base).toFixed(2)}h${w}v${Math.max(0.5, Math.abs(y - base)).toFixed(2)}h-${w}z`;
      if (v >= 0) pos += bar;
      else neg += bar;
    }
    upD.push(pos || "M0 0");
    downD.push(neg || "M0 0");
  }
  tracks.push({ el: up, attr: "d", values: upD }, { el: down, attr: "d", values: downD });
  svg.append(up, down);
  svg.addEventListener("pointermove", (ev) => {
    const box = svg.getBoundingClientRect();
    const u = Math.floor(((ev.clientX - box.left) * (BAR_W / box.width) - BAR_LEFT) / slot);
    if (u < 0 || u >= units) return hover(null);
    const t = Number(svg.closest(".seqlab-cell")?.getAttribute("data-step") ?? 0);
    hover(`${panel.key} at t=${t}, unit ${u}: ${valueText(panel.z[t]?.[u] ?? null)}`, ev);
  });
  svg.addEventListener("pointerleave", () => hover(null));
  return svg;
}

/** The diagram's elements, with a track for each attribute bound to a quantity. */
function diagram(plot: CellPlot, tracks: Track[], hover: Hover): SVGSVGElement {
  const d = cellDiagram(plot.cell, plot.units);
  const svg = svgEl("svg", { width: d.width, height: d.height, viewBox: `0 0 ${d.width} ${d.height}`, class: "seqlab-cell-diagram", role: "img" });
  svg.setAttribute("aria-label", `${plot.cell.toUpperCase()} cell diagram`);
  const steps = plot.tokens.length;
  const every = (f: (t: number) => string): string[] => Array.from({ length: steps }, (_, t) => f(t));
  d.shapes.forEach((shape: Shape) => {
    const el = svgEl(shape.tag, shape.attrs);
    if (shape.part) el.setAttribute("data-part", shape.part);
    if (shape.tag === "text" && !shape.contrast && !("fill" in shape.attrs)) el.setAttribute("fill", "currentColor");
    if (shape.text !== undefined) el.textContent = shape.text;
    if (shape.paint) {
      const b = shape.paint;
      tracks.push({ el, attr: b.attr, values: every((t) => boundColor(plot.panels, b, t)) });
    }
    if (shape.contrast) {
      const b = shape.contrast;
      tracks.push({ el, attr: "fill", values: every((t) => contrastText(boundColor(plot.panels, b, t))) });
    }
    if (shape.value) {
      const b = shape.value;
      tracks.push({ el, attr: null, values: every((t) => boundText(plot.panels, b, t)) });
    }
    // A box shows the mean; its hover lists every unit's value.
    const boxKey = shape.part?.startsWith("box-") ? shape.paint?.key : undefined;
    const panel = plot.panels.find((q) => q.key === boxKey);
    if (panel) {
      const node: SVGElement = el;
      node.addEventListener("pointermove", (ev) => {
        const t = Number(svg.closest(".seqlab-cell")?.getAttribute("data-step") ?? 0);
        const units = (panel.z[t] ?? []).map((v) => valueText(v)).join(", ");
        hover(`${panel.key} at t=${t}: mean ${valueText(stepMean(panel, t))} over ${plot.units} units [${units}]`, ev);
      });
      node.addEventListener("pointerleave", () => hover(null));
    }
    svg.appendChild(el);
  });
  return svg;
}

export async function drawCell(host: HTMLElement, plot: CellPlot): Promise<void> {
  const steps = plot.tokens.length;
  const root = document.createElement("div");
  root.className = "seqlab-cell";
  header(root, plot.title, plot.note);

  const controls = document.createElement("div");
  controls.className = "seqlab-controls";
  const play = document.createElement("button");
  play.className = "seqlab-play";
  play.type = "button";
  play.textContent = "▶ play";
  const slider = document.createElement("input");
  slider.type = "range";
  slider.className = "seqlab-slider";
  slider.min = "0";
  slider.max = String(Math.max(0, steps - 1));
  slider.step = "1";
  slider.value = "0";
  slider.setAttribute("aria-label", "time step");
  const stepText = document.createElement("span");
  stepText.className = "seqlab-step";
  controls.append(play, slider, stepText);
  root.appendChild(controls);

  // The hover text follows the pointer, as plotly's does; in the controls row it was far from
  // the bar it describes.
  const hoverText = document.createElement("div");
  hoverText.className = "seqlab-hover seqlab-tooltip";
  hoverText.hidden = true;
  const hover: Hover = (text, ev) => {
    if (text === null || !ev) {
      hoverText.hidden = true;
      return;
    }
    hoverText.textContent = text;
    hoverText.hidden = false;
    const box = root.getBoundingClientRect();
    // Right of and below the pointer, flipped to its left near the right edge of the plot.
    const x = ev.clientX - box.left;
    const flip = x + 14 + hoverText.offsetWidth > root.clientWidth;
    hoverText.style.left = `${flip ? Math.max(0, x - 10 - hoverText.offsetWidth) : x + 14}px`;
    hoverText.style.top = `${ev.clientY - box.top + 14}px`;
  };

  const tracks: Track[] = [];
  root.appendChild(diagram(plot, tracks, hover));
  const bars = document.createElement("div");
  bars.className = "seqlab-grid";
  for (const panel of plot.panels) bars.appendChild(barChart(panel, plot.units, steps, tracks, hover));
  root.appendChild(bars);
  root.appendChild(hoverText);
  const stepLabels = plot.tokens.map((token, k) => `t = ${plot.steps[k]} of ${plot.steps[steps - 1]}, token “${token}”`);

  // Apply one step: attribute copies only.
  let shown = -1;
  function apply(t: number): void {
    if (t === shown) return;
    shown = t;
    for (const tr of tracks) {
      const v = tr.values[t]!;
      if (tr.attr === null) tr.el.textContent = v;
      else tr.el.setAttribute(tr.attr, v);
    }
    stepText.textContent = stepLabels[t]!;
    hoverText.hidden = true;
    root.setAttribute("data-step", String(t));
  }
  let wanted = 0;
  let scheduled = false;
  function request(t: number): void {
    wanted = t;
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      apply(wanted);
    });
  }
  slider.addEventListener("input", () => request(Number(slider.value)));

  // Play: a whole sequence takes about 8 s, between 50 and 400 ms per step.
  let timer: number | null = null;
  const stop = (): void => {
    if (timer !== null) window.clearInterval(timer);
    timer = null;
    play.textContent = "▶ play";
  };
  play.addEventListener("click", () => {
    if (timer !== null) return stop();
    if (Number(slider.value) >= steps - 1) slider.value = "0";
    play.textContent = "❚❚ pause";
    timer = window.setInterval(() => {
      const next = Number(slider.value) + 1;
      if (next >= steps || !root.isConnected) return stop();
      slider.value = String(next);
      request(next);
    }, Math.min(400, Math.max(50, 8000 / Math.max(1, steps))));
  });

  host.appendChild(root);
  apply(0);
}
