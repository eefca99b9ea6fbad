/**
 * The step-through cell diagram: the lecture's drawing of the cell, its gates and wires
 * coloured by their values at step t, with a time slider in the extension and a bar per unit of
 * each quantity. Built from a forward pass's trace:
 *
 *   const [, , trace] = lstm.forward(x, null, { trace: true });
 *   plot.cell(trace, { tokens: ["I", "like", "pizza"] });
 */
import type { Direction } from "../nn/recurrent/trace.js";
import { boundColor, boundText, cellDiagram, contrastText, stepMean, valueText, type Shape } from "./diagram.js";
import { emit } from "./emit.js";
import { heatPanels, PANELS, traceRows, type TraceEntry } from "./gates.js";
import { downsampleNote } from "./sample.js";
import type { CellPlot, HeatPanel } from "./schema.js";
import type { ShowOptions } from "./show.js";
import { sequenceView } from "./states.js";
import { barChart, element, figure, type Part } from "./svg.js";

export interface CellOptions extends ShowOptions {
  /** Labels of the steps, one per step (default "t=0", "t=1", …). */
  tokens?: readonly string[];
  /** Which layer (default 0) and direction (default "forward"). */
  layer?: number;
  direction?: Direction;
  /** Which sequence of the batch (default 0). */
  batch?: number;
  title?: string;
}

/** Builds (and, in a notebook, shows) the cell diagram of one layer and direction. */
export function cell(trace: readonly TraceEntry[], opts: CellOptions = {}): CellPlot {
  const who = "plot.cell";
  const { entry, cell: kind, T, H, b, tokens, steps } = sequenceView(who, trace, opts, "there is no step to show");
  const [panels] = heatPanels(PANELS[kind], traceRows([entry], kind, b, steps));
  const payload: CellPlot = {
    version: 1,
    kind: "cell",
    title: opts.title ?? `Inside the ${kind.toUpperCase()} cell, step by step (layer ${entry.layer}, ${entry.direction})`,
    note: downsampleNote(steps.length, T),
    cell: kind,
    layer: entry.layer,
    direction: entry.direction,
    tokens: steps.map((t) => tokens[t]!),
    steps,
    units: H,
    panels: panels!,
  };
  const summary = `[seqlab plot: ${kind.toUpperCase()} cell diagram, ${T} steps × ${H} units]`;
  return emit(who, payload, { text: cellText(payload), svg: cellSvg(payload) }, opts, summary);
}

/** The text/plain view: per step, the token and the mean of every quantity over the units. */
export function cellText(p: CellPlot): string {
  const rows = p.tokens.slice(0, 40).map((token, k) => [String(p.steps[k]), token.slice(0, 15), ...p.panels.map((q) => valueText(stepMean(q, k)))]);
  const header = ["t", "token", ...p.panels.map((q) => `mean ${q.key}`)];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: readonly string[]): string => r.map((v, c) => (c < 2 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join("  ");
  const more = p.tokens.length > 40 ? [`… ${p.tokens.length - 40} more steps in the interactive view`] : [];
  return [[p.title, p.note].filter(Boolean).join(" — "), line(header), ...rows.map(line), ...more].join("\n");
}

/** One shape of the diagram as SVG text, its bound attributes painted for step t. */
export function shapeSvg(shape: Shape, panels: readonly HeatPanel[], t: number): string {
  const attrs: Record<string, string | number> = { ...shape.attrs };
  if (shape.paint) attrs[shape.paint.attr] = boundColor(panels, shape.paint, t);
  if (shape.contrast) attrs.fill = contrastText(boundColor(panels, shape.contrast, t));
  if (shape.part) attrs["data-part"] = shape.part;
  const content = shape.value ? boundText(panels, shape.value, t) : shape.text;
  return element(shape.tag, attrs, content);
}

/** The static picture: the diagram at the last step and each quantity's values per unit there. */
export function cellSvg(p: CellPlot): string {
  const t = p.tokens.length - 1;
  const d = cellDiagram(p.cell, p.units);
  const diagram: Part = { width: d.width, height: d.height, body: d.shapes.map((s) => shapeSvg(s, p.panels, t)).join("") };
  const bars = p.panels.map((q) =>
    barChart({
      label: q.label,
      bars: q.z[t]!.map((v, u) => ({ label: String(u), value: v })),
      ymin: q.zmin,
      ymax: q.zmax,
      width: Math.min(300, Math.max(120, 6 * p.units)),
      height: 90,
    }),
  );
  const subtitle = `at the last step, t=${p.steps[t]} (${p.tokens[t]}); the slider in JupyterLab with seqlab steps through all ${p.tokens.length}${p.note ? `; ${p.note}` : ""}`;
  return figure(p.title, [diagram, ...bars], { subtitle, maxWidth: 980 });
}
