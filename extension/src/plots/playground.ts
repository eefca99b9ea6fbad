/**
 * The memory playground: a select box per setting (declared once in the schema), Train and
 * Stop, and the training curves of every run so far. Training happens here, in the page, with
 * seqlab itself (`Experiment`, on its WebAssembly kernels when they load); the kernel is not
 * involved. A run takes slices of about 40 ms and yields between them, so the page stays
 * responsive and the curves grow while it trains. The library is loaded on the first Train, so
 * that the other plots do not carry it.
 */
import type { PlaygroundState } from "seqlab";
import { PLAYGROUND_PARAM_NAMES, PLAYGROUND_PARAMS, type PlaygroundPlot, type PlaygroundParam } from "seqlab/schema";
import { showError } from "../error-box.js";
import { drawTraining } from "./training.js";
import { header } from "./common.js";

/** Time a slice of training may hold the page for. */
const SLICE_MS = 40;
/** Runs kept on the chart; older ones are dropped. */
const MAX_RUNS = 10;

/** A finished or running run as the chart and the table show it. */
interface Run {
  id: number;
  state: PlaygroundState;
  steps: number[];
  loss: number[];
  accuracy: number[];
  testAccuracy: number | null;
  msPerStep: number;
  kernels: string;
  /** Why the run ended early ("" when it ran all its steps). */
  stopped: string;
}

const COLUMNS = ["run", ...PLAYGROUND_PARAM_NAMES.map((k) => PLAYGROUND_PARAMS[k].short), "final loss", "test accuracy", "ms / step", "ran on", "ended"];

/** The settings of `state` that differ from the defaults, for the legend (cell and k are in the run's name). */
function legendSettings(state: PlaygroundState): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const key of PLAYGROUND_PARAM_NAMES) {
    if (key !== "cell" && key !== "lag" && state[key] !== PLAYGROUND_PARAMS[key].default) out[PLAYGROUND_PARAMS[key].short] = state[key];
  }
  return out;
}

const runName = (run: Run): string => `#${run.id} ${run.state.cell.toUpperCase()} ${PLAYGROUND_PARAMS.lag.short}=${run.state.lag}`;

function controls(root: HTMLElement, state: PlaygroundState): Map<PlaygroundParam, HTMLSelectElement> {
  const row = document.createElement("div");
  row.className = "seqlab-playground-settings";
  const selects = new Map<PlaygroundParam, HTMLSelectElement>();
  for (const key of PLAYGROUND_PARAM_NAMES) {
    const param = PLAYGROUND_PARAMS[key];
    const label = document.createElement("label");
    label.title = param.help;
    const name = document.createElement("span");
    name.textContent = param.label;
    const select = document.createElement("select");
    select.className = "seqlab-select";
    select.dataset.setting = key;
    param.choices.forEach((choice, k) => {
      const option = document.createElement("option");
      option.value = String(k);
      option.textContent = String(choice);
      option.selected = choice === state[key];
      select.appendChild(option);
    });
    label.append(name, select);
    row.appendChild(label);
    selects.set(key, select);
  }
  root.appendChild(row);
  return selects;
}

function readSettings(selects: Map<PlaygroundParam, HTMLSelectElement>): PlaygroundState {
  const entries = PLAYGROUND_PARAM_NAMES.map((key) => [key, PLAYGROUND_PARAMS[key].choices[Number(selects.get(key)!.value)]]);
  return Object.fromEntries(entries) as PlaygroundState;
}

function button(parent: HTMLElement, text: string, part: string): HTMLButtonElement {
  const b = document.createElement("button");
  b.className = "seqlab-play";
  b.dataset.part = part;
  b.textContent = text;
  parent.appendChild(b);
  return b;
}

/** The seqlab library, loaded on the first Train. */
type Library = typeof import("seqlab");

/** A number as the library's plots print it; "—" for none (no step yet). */
function num(lib: Library, v: number | null): string {
  return lib.plot.fmtOrGap(v !== null && Number.isFinite(v) ? v : null);
}

function fillTable(lib: Library, table: HTMLTableElement, runs: readonly Run[]): void {
  const head = document.createElement("tr");
  for (const c of COLUMNS) {
    const th = document.createElement("th");
    th.textContent = c;
    head.appendChild(th);
  }
  const rows = runs.map((run) => {
    const tr = document.createElement("tr");
    tr.dataset.run = String(run.id);
    const cells = [
      `#${run.id}`, ...PLAYGROUND_PARAM_NAMES.map((k) => String(run.state[k])),
      num(lib, run.loss.at(-1) ?? null), num(lib, run.testAccuracy), num(lib, run.msPerStep), run.kernels, run.stopped,
    ];
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

export async function drawPlayground(host: HTMLElement, payload: PlaygroundPlot): Promise<void> {
  header(host, payload.title, payload.note);
  const root = document.createElement("div");
  root.className = "seqlab-playground";
  host.appendChild(root);
  const selects = controls(root, payload.state);
  const bar = document.createElement("div");
  bar.className = "seqlab-controls";
  const train = button(bar, "Train", "train");
  const stop = button(bar, "Stop", "stop");
  stop.disabled = true;
  const status = document.createElement("span");
  status.className = "seqlab-progress";
  status.setAttribute("role", "status");
  status.textContent = "Pick settings and press Train: the model trains here, in the page.";
  bar.appendChild(status);
  root.appendChild(bar);
  const problems = document.createElement("div");
  const chart = document.createElement("div");
  chart.className = "seqlab-playground-chart";
  const table = document.createElement("table");
  table.className = "seqlab-runs";
  root.append(problems, chart, table);

  const runs: Run[] = [];
  let nextId = 1;
  let stopRequested = false;
  let lib: Library | null = null;

  const redraw = async (lib: Library, current: Run | null): Promise<void> => {
    const seqlab = lib.plot;
    const progress = current && {
      step: current.steps.length, totalSteps: current.state.steps, loss: current.loss.at(-1) ?? null,
      stepsPerSecond: current.msPerStep > 0 ? 1000 / current.msPerStep : null, secondsLeft: null, done: false,
    };
    const curves = seqlab.trainingPayload(
      runs.map((r) => ({ name: runName(r), hyperparameters: legendSettings(r.state), steps: r.steps, loss: r.loss, accuracy: r.accuracy })),
      { title: "Loss and accuracy on each training batch", metrics: ["loss", "accuracy"] },
      progress && { ...progress, line: seqlab.progressLine(progress) },
      "plot.playground",
    );
    await drawTraining(chart, curves);
    fillTable(lib, table, runs);
  };

  const runOnce = async (): Promise<void> => {
    problems.replaceChildren();
    const state = readSettings(selects);
    const run: Run = { id: nextId++, state, steps: [], loss: [], accuracy: [], testAccuracy: null, msPerStep: NaN, kernels: "", stopped: "" };
    status.textContent = `#${run.id}: loading the kernels…`;
    lib ??= await import("seqlab");
    const experiment = await lib.Experiment.create(state);
    runs.push(run);
    if (runs.length > MAX_RUNS) runs.shift();
    while (!experiment.done && !stopRequested) {
      try {
        for (const r of experiment.advance(SLICE_MS)) {
          run.steps.push(r.step);
          run.loss.push(r.loss);
          run.accuracy.push(r.accuracy);
        }
      } catch (e) {
        run.stopped = `stopped at step ${run.steps.length + 1}`;
        throw e;
      } finally {
        run.msPerStep = experiment.msPerStep;
        run.kernels = experiment.kernels();
      }
      status.textContent = `#${run.id}: step ${run.steps.length}/${state.steps} · loss ${num(lib, run.loss.at(-1) ?? null)} · ${num(lib, run.msPerStep)} ms/step · ${run.kernels}`;
      await redraw(lib, run);
      // Let the page handle input and paint before the next slice.
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    if (stopRequested) run.stopped = `stopped by you at step ${run.steps.length}`;
    run.testAccuracy = experiment.testAccuracy();
    status.textContent = `#${run.id} ${run.stopped || "done"}: test accuracy ${num(lib, run.testAccuracy)} (chance 0.25) · ${num(lib, run.msPerStep)} ms/step · ${run.kernels}`;
    await redraw(lib, null);
  };

  train.addEventListener("click", () => {
    train.disabled = true;
    stop.disabled = false;
    stopRequested = false;
    runOnce()
      .catch(async (e: unknown) => {
        status.textContent = "The run could not go on.";
        showError(problems, "Training stopped", [String((e as Error)?.message ?? e)]);
        if (lib && runs.length) await redraw(lib, null).catch(() => undefined);
      })
      .finally(() => {
        train.disabled = false;
        stop.disabled = true;
      });
  });
  stop.addEventListener("click", () => {
    stopRequested = true;
  });
}
