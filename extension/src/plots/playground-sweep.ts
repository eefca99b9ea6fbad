/**
 * The playground's sweep: one or two settings and up to PLAYGROUND_SWEEP_MAX_VALUES values of
 * each (the controls), and its result as a small heatmap of test accuracy, one axis per swept
 * setting, each cell a button that opens its run. The heatmap is a plain HTML table: a few
 * cells, each with its number written in it, read by a screen reader and a test alike.
 */
import {
  choicesOf, PLAYGROUND_CHOICE_NAMES, PLAYGROUND_PARAMS, PLAYGROUND_SWEEP_MAX_VALUES, playgroundParamApplies,
  type PlaygroundChoiceParam, type PlaygroundRun, type PlaygroundState, type PlaygroundSweep,
} from "seqlab/schema";
import { controlButton } from "./common.js";

type Value = string | number | boolean;

export interface SweepControls {
  /** The sweep the controls describe, or why there is none to run. */
  read(): { sweep: PlaygroundSweep } | { error: string };
  /** Offers only the settings that apply to `state` (called when the task or the model changes). */
  refresh(state: PlaygroundState): void;
  readonly button: HTMLButtonElement;
}

interface Axis {
  select: HTMLSelectElement;
  values: HTMLElement;
}

export function sweepControls(parent: HTMLElement, preset: PlaygroundSweep | undefined, state: PlaygroundState): SweepControls {
  const box = document.createElement("fieldset");
  box.className = "seqlab-playground-sweep";
  const legend = document.createElement("legend");
  legend.textContent = "sweep";
  box.appendChild(legend);
  const axes: Axis[] = [0, 1].map((k) => {
    const row = document.createElement("div");
    row.className = "seqlab-sweep-axis";
    const name = document.createElement("span");
    name.textContent = k === 0 ? "vary" : "and";
    const select = document.createElement("select");
    select.className = "seqlab-select";
    select.dataset.sweepParam = String(k);
    const values = document.createElement("span");
    values.className = "seqlab-sweep-values";
    row.append(name, select, values);
    box.appendChild(row);
    return { select, values };
  });
  const button = controlButton(null, "Sweep", "sweep");
  const hint = document.createElement("span");
  hint.className = "seqlab-sweep-hint";
  hint.textContent = `Tick up to ${PLAYGROUND_SWEEP_MAX_VALUES} values of each; the runs go one after another, the first setting slowest.`;
  const bar = document.createElement("div");
  bar.append(button, hint);
  box.appendChild(bar);
  parent.appendChild(box);

  /** The values ticked per axis, kept across a refresh of the setting lists. */
  const ticked: Value[][] = [[], []];
  const fillValues = (k: number): void => {
    const axis = axes[k]!;
    const key = axis.select.value as PlaygroundChoiceParam | "";
    axis.values.replaceChildren();
    if (!key) return;
    const choices = choicesOf(key);
    ticked[k] = ticked[k]!.filter((v) => choices.includes(v));
    const boxes = choices.map((choice) => {
      const label = document.createElement("label");
      const tick = document.createElement("input");
      tick.type = "checkbox";
      tick.dataset.sweepValue = String(choice);
      tick.checked = ticked[k]!.includes(choice);
      tick.addEventListener("change", () => {
        ticked[k] = choices.filter((c, j) => (c === choice ? tick.checked : boxes[j]!.checked));
        limit();
      });
      const text = document.createElement("span");
      text.textContent = String(choice);
      label.append(tick, text);
      axis.values.appendChild(label);
      return tick;
    });
    const limit = (): void => {
      const full = boxes.filter((b) => b.checked).length >= PLAYGROUND_SWEEP_MAX_VALUES;
      for (const b of boxes) b.disabled = full && !b.checked;
    };
    limit();
  };
  const refresh = (s: PlaygroundState): void => {
    axes.forEach((axis, k) => {
      const chosen = axis.select.value;
      const offered = PLAYGROUND_CHOICE_NAMES.filter((key) => playgroundParamApplies(key, s));
      const none = document.createElement("option");
      none.value = "";
      none.textContent = k === 0 ? "(pick a setting)" : "(nothing else)";
      axis.select.replaceChildren(none, ...offered.map((key) => {
        const option = document.createElement("option");
        option.value = key;
        option.textContent = PLAYGROUND_PARAMS[key].label;
        return option;
      }));
      axis.select.value = (offered as string[]).includes(chosen) ? chosen : "";
      if (axis.select.value !== chosen) fillValues(k);
    });
  };
  axes.forEach((axis, k) => axis.select.addEventListener("change", () => {
    ticked[k] = [];
    fillValues(k);
  }));
  refresh(state);
  preset?.params.forEach((key, k) => {
    axes[k]!.select.value = key;
    ticked[k] = [...preset.values[k]!];
    fillValues(k);
  });

  const read = (): { sweep: PlaygroundSweep } | { error: string } => {
    const params: PlaygroundChoiceParam[] = [];
    const values: Value[][] = [];
    axes.forEach((axis, k) => {
      const key = axis.select.value as PlaygroundChoiceParam | "";
      if (!key || params.includes(key)) return;
      params.push(key);
      values.push(ticked[k]!);
    });
    if (!params.length) return { error: "Pick a setting to sweep over, and tick its values." };
    const empty = params.find((_, k) => values[k]!.length === 0);
    if (empty) return { error: `Tick at least one value of ${PLAYGROUND_PARAMS[empty].label}.` };
    return { sweep: { params, values } };
  };
  return { read, refresh, button };
}

/**
 * The settings a sweep varied, read back from its runs (after a reload the page has only the
 * runs): those whose value differs between them, the slowest-changing first, as sweepSettings
 * orders them; their values in the order the runs took them.
 */
export function sweepOfRuns(runs: readonly PlaygroundRun[]): { params: PlaygroundChoiceParam[]; values: Value[][] } {
  const varied = PLAYGROUND_CHOICE_NAMES.filter((key) => runs.some((r) => r.state[key] !== runs[0]!.state[key]));
  const changes = (key: PlaygroundChoiceParam): number => runs.filter((r, k) => k > 0 && r.state[key] !== runs[k - 1]!.state[key]).length;
  const params = varied.sort((a, b) => changes(a) - changes(b)).slice(0, 2);
  return { params, values: params.map((key) => [...new Set(runs.map((r) => r.state[key] as Value))]) };
}

/** Red (0) to green (1) through yellow, light enough for black text in either theme. */
const colourOf = (accuracy: number | null): string => (accuracy === null ? "transparent" : `hsl(${Math.round(120 * accuracy)}, 70%, 72%)`);

/**
 * Draws the heatmap of one sweep's runs into `host` (replacing what was there): rows the first
 * setting's values, columns the second's (one setting: a 1 × n strip). `format` writes a number
 * as the runs table does, so the cell and its row read the same.
 */
export function drawHeatmap(
  host: HTMLElement, sweepId: number, runs: readonly PlaygroundRun[], params: readonly PlaygroundChoiceParam[], values: readonly Value[][],
  format: (v: number | null) => string, open: (run: PlaygroundRun) => void,
): void {
  const caption = document.createElement("caption");
  const names = params.map((k) => PLAYGROUND_PARAMS[k].label);
  caption.textContent = `Sweep ${sweepId}: test accuracy by ${names.join(" × ")}; click a cell to look inside its run.`;
  const table = document.createElement("table");
  table.className = "seqlab-heatmap";
  table.dataset.sweep = String(sweepId);
  table.appendChild(caption);
  const [rowKey, colKey] = params.length === 2 ? [params[0]!, params[1]!] : [null, params[0] ?? null];
  const rowValues: (Value | null)[] = rowKey ? values[0]! : [null];
  const colValues: (Value | null)[] = colKey ? values[params.length === 2 ? 1 : 0]! : [null];
  const head = document.createElement("tr");
  const corner = document.createElement("th");
  corner.textContent = rowKey ? `${PLAYGROUND_PARAMS[rowKey].short} \\ ${colKey ? PLAYGROUND_PARAMS[colKey].short : ""}` : colKey ? PLAYGROUND_PARAMS[colKey].short : "";
  head.appendChild(corner);
  for (const c of colValues) {
    const th = document.createElement("th");
    th.textContent = String(c ?? "");
    head.appendChild(th);
  }
  table.appendChild(head);
  for (const r of rowValues) {
    const tr = document.createElement("tr");
    const th = document.createElement("th");
    th.textContent = rowKey ? String(r) : "";
    tr.appendChild(th);
    for (const c of colValues) {
      const td = document.createElement("td");
      const run = runs.find((x) => (!rowKey || x.state[rowKey] === r) && (!colKey || x.state[colKey] === c));
      if (run) {
        const cell = document.createElement("button");
        cell.className = "seqlab-heat-cell";
        cell.dataset.run = String(run.id);
        cell.textContent = format(run.testAccuracy);
        cell.title = `#${run.id}: test accuracy ${format(run.testAccuracy)}, chance ${format(run.chance)}`;
        cell.style.background = colourOf(run.testAccuracy);
        cell.addEventListener("click", () => open(run));
        td.appendChild(cell);
      }
      tr.appendChild(td);
    }
    table.appendChild(tr);
  }
  host.replaceChildren(table);
}
