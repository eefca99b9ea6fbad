/**
 * The memory playground: a select box per setting (declared once in the schema), Train and
 * Stop, the training curves of every run so far and a table of them. Training happens in the
 * page but off its main thread, in a Web Worker (playground-worker.ts) that runs seqlab's
 * `Experiment` on its WebAssembly kernels; the kernel is not involved. The page only draws
 * what the worker reports, so it stays responsive however big the model.
 *
 * Finished runs are written back into the output (`DrawContext.keep`), so saving the notebook
 * keeps them and reopening it shows them again. The library (for the chart's payload, the
 * table's numbers and the kept bundle) is loaded on the first Train or when there are kept
 * runs to show, so that the other plots do not carry it.
 */
import type { PlaygroundState } from "seqlab";
import { PLAYGROUND_MAX_RUNS, PLAYGROUND_PARAM_NAMES, PLAYGROUND_PARAMS, type PlaygroundPlot, type PlaygroundParam, type PlaygroundRun } from "seqlab/schema";
import { showError } from "../error-box.js";
import type { DrawContext } from "./index.js";
import type { FromWorker, ToWorker } from "./playground-protocol.js";
import { drawTraining } from "./training.js";
import { header } from "./common.js";

/**
 * How long Stop waits for the worker to finish its step. Past it (a step can take longer than
 * this with a big batch and a long lag) the worker is ended at once and a fresh one trains
 * the next run; the stopped run then keeps its steps but has no test accuracy.
 */
const STOP_GRACE_MS = 80;
/** Least time between two redraws of the chart and the table while a run trains. */
const CHART_MS = 1000;

/** The settings of `state` that differ from the defaults, for the legend (cell and k are in the run's name). */
function legendSettings(state: PlaygroundState): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const key of PLAYGROUND_PARAM_NAMES) {
    if (key !== "cell" && key !== "lag" && state[key] !== PLAYGROUND_PARAMS[key].default) out[PLAYGROUND_PARAMS[key].short] = state[key];
  }
  return out;
}

const runName = (run: PlaygroundRun): string => `#${run.id} ${run.state.cell.toUpperCase()} ${PLAYGROUND_PARAMS.lag.short}=${run.state.lag}`;

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

/** The seqlab library, loaded on first use. */
type Library = typeof import("seqlab/playground");

function fillTable(lib: Library, table: HTMLTableElement, runs: readonly PlaygroundRun[], live: PlaygroundRun | null): void {
  const head = document.createElement("tr");
  for (const c of lib.PLAYGROUND_RUN_COLUMNS) {
    const th = document.createElement("th");
    th.textContent = c;
    head.appendChild(th);
  }
  const rows = runs.map((run) => {
    const tr = document.createElement("tr");
    tr.dataset.run = String(run.id);
    const cells = lib.playgroundRunCells(run);
    if (run === live) cells[cells.length - 1] = "training…";
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    return tr;
  });
  table.replaceChildren(head, ...rows);
}

/** The run under way: its record, and how to stop it. */
interface Live {
  run: PlaygroundRun;
  worker: Worker;
  /** Set once Stop was pressed: ends the run without the worker if it does not answer in time. */
  grace: ReturnType<typeof setTimeout> | null;
}

export async function drawPlayground(host: HTMLElement, payload: PlaygroundPlot, context: DrawContext): Promise<void> {
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
  bar.appendChild(status);
  root.appendChild(bar);
  const problems = document.createElement("div");
  const chart = document.createElement("div");
  chart.className = "seqlab-playground-chart";
  // The table scrolls sideways inside the output if it is still too wide for it, so no column is ever out of reach.
  const tableBox = document.createElement("div");
  tableBox.className = "seqlab-runs-box";
  const table = document.createElement("table");
  table.className = "seqlab-runs";
  tableBox.appendChild(table);
  root.append(problems, chart, tableBox);

  const runs: PlaygroundRun[] = payload.runs?.list.map((r) => ({ ...r, curve: { ...r.curve } })) ?? [];
  let nextId = (runs.at(-1)?.id ?? 0) + 1;
  let lib: Library | null = null;
  const library = async (): Promise<Library> => (lib ??= await import("seqlab/playground"));
  /** The worker, started on the first Train and kept for the next runs; ended with the output. */
  let worker: Worker | null = null;
  let live: Live | null = null;
  const num = (v: number | null): string => (lib ? lib.fmtOrGap(v !== null && Number.isFinite(v) ? v : null) : "—");

  status.textContent = runs.length
    ? `${runs.length} run${runs.length === 1 ? "" : "s"} kept in this output from before; change a setting and press Train for another.`
    : "Pick settings and press Train: the model trains here, in a background worker of this page, and finished runs are kept in the notebook when you save it.";

  const redraw = async (lib: Library): Promise<void> => {
    const current = live?.run ?? null;
    const progress = current && {
      step: current.stepsTaken, totalSteps: current.state.steps, loss: current.finalLoss,
      stepsPerSecond: current.msPerStep ? 1000 / current.msPerStep : null, secondsLeft: null, done: false,
    };
    const curves = lib.trainingPayload(
      runs.map((r) => ({
        name: runName(r), hyperparameters: legendSettings(r.state), steps: r.curve.steps,
        // A kept gap (null) is a NaN to the builder, which shows it as a gap again.
        loss: r.curve.loss.map((v) => v ?? NaN), accuracy: r.curve.accuracy.map((v) => v ?? NaN),
      })),
      { title: "Loss and accuracy on each training batch", metrics: ["loss", "accuracy"] },
      progress && { ...progress, line: lib.progressLine(progress) },
      "plot.playground",
    );
    await drawTraining(chart, curves);
    fillTable(lib, table, runs, current);
  };

  // The worker reports every few milliseconds; the page shows it at most once a frame (the
  // status line) and every CHART_MS (the chart and the table: a plotly redraw of both panels
  // takes tens of ms, which drawn 4 times a second cost a fifth of the frames; see README, Speed).
  let frame = 0;
  const showProgress = (): void => {
    if (frame) return;
    frame = requestAnimationFrame(() => {
      frame = 0;
      const run = live?.run;
      if (run && !context.signal.aborted) {
        status.textContent = `#${run.id}: step ${run.stepsTaken}/${run.state.steps} · loss ${num(run.finalLoss)} · ${num(run.msPerStep)} ms/step · ${run.kernels}`;
      }
    });
  };
  let charting: Promise<void> | null = null;
  let chartAgain = false;
  let chartDue: ReturnType<typeof setTimeout> | null = null;
  let lastChart = -Infinity;
  const drawChart = (): void => {
    if (charting) {
      chartAgain = true;
      return;
    }
    charting = (async () => {
      const l = await library();
      if (context.signal.aborted) return;
      await redraw(l);
    })()
      .catch((e: unknown) => showError(problems, "The chart could not be drawn", [String((e as Error)?.message ?? e)]))
      .finally(() => {
        charting = null;
        lastChart = performance.now();
        if (chartAgain) {
          chartAgain = false;
          scheduleChart();
        }
      });
  };
  /** Draws the chart and the table soon: at once when no run is under way, else CHART_MS after the last time. */
  const scheduleChart = (): void => {
    if (chartDue !== null) return;
    const wait = live ? Math.max(0, lastChart + CHART_MS - performance.now()) : 0;
    chartDue = setTimeout(() => {
      chartDue = null;
      requestAnimationFrame(drawChart);
    }, wait);
  };

  /** Writes the runs into the output, so that saving the notebook keeps them. */
  const keep = (): void => {
    if (!lib || context.signal.aborted) return;
    try {
      context.keep(lib.playgroundBundle(payload, runs));
    } catch (e) {
      showError(problems, "The runs could not be kept in the notebook", [String((e as Error)?.message ?? e)]);
    }
  };

  const finish = (ended: PlaygroundRun["ended"], why: string): void => {
    if (!live) return;
    const { run, grace } = live;
    if (grace !== null) clearTimeout(grace);
    run.ended = ended;
    live = null;
    train.disabled = false;
    stop.disabled = true;
    status.textContent = `#${run.id} ${endedWords(run)}: ${why}`;
    // The table says how the run ended as soon as Train is back (the chart follows).
    fillTable(lib!, table, runs, null);
    scheduleChart();
  };

  const runOf = (from: Worker, m: FromWorker): PlaygroundRun | null => {
    if (live && live.worker === from && live.run.id === m.run) return live.run;
    // The test accuracy comes after the run has ended.
    if (m.type === "tested" && worker === from) return runs.find((r) => r.id === m.run) ?? null;
    return null;
  };
  const endedWords = (run: PlaygroundRun): string => (run.ended === "done" ? "done" : lib!.playgroundEndedText(run));

  const onMessage = (from: Worker, m: FromWorker): void => {
    const run = runOf(from, m);
    // A message of a run already ended, or of a worker already let go: the page has moved on.
    if (!run) return;
    if (m.type === "steps") {
      run.curve.steps.push(...m.steps);
      run.curve.loss.push(...m.loss);
      run.curve.accuracy.push(...m.accuracy);
      run.stepsTaken = m.steps.at(-1) ?? run.stepsTaken;
      run.finalLoss = m.loss.at(-1) ?? run.finalLoss;
      run.msPerStep = m.msPerStep;
      run.kernels = m.kernels;
      showProgress();
      scheduleChart();
    } else if (m.type === "ended") {
      run.stepsTaken = m.stepsTaken;
      run.msPerStep = Number.isFinite(m.msPerStep) ? m.msPerStep : null;
      run.kernels = m.kernels;
      if (m.ended === "failed") {
        showError(problems, "Training stopped", [m.message]);
        finish("failed", "the run could not go on.");
        keep();
      } else {
        finish(m.ended, "measuring the test accuracy…");
      }
    } else {
      run.testAccuracy = Number.isFinite(m.testAccuracy) ? m.testAccuracy : null;
      status.textContent = `#${run.id} ${endedWords(run)}: test accuracy ${num(run.testAccuracy)} (chance 0.25) · ${num(run.msPerStep)} ms/step · ${run.kernels}`;
      fillTable(lib!, table, runs, live?.run ?? null);
      scheduleChart();
      keep();
    }
  };

  const startWorker = (): Worker => {
    const w = new Worker(new URL("./playground-worker.js", import.meta.url));
    w.onmessage = (event: MessageEvent<FromWorker>) => onMessage(w, event.data);
    w.onerror = (event) => {
      event.preventDefault();
      showError(problems, "The training worker failed", [event.message || "it could not start (see the browser's console)"]);
      if (live?.worker === w) finish("failed", "the training worker failed.");
      if (worker === w) worker = null;
      w.terminate();
    };
    return w;
  };
  const post = (w: Worker, message: ToWorker): void => w.postMessage(message);

  train.addEventListener("click", () => {
    void (async () => {
      train.disabled = true;
      stop.disabled = false;
      problems.replaceChildren();
      const state = readSettings(selects);
      const run: PlaygroundRun = {
        id: nextId++, state, stepsTaken: 0, finalLoss: null, testAccuracy: null, msPerStep: null, kernels: "", ended: "done",
        curve: { steps: [], loss: [], accuracy: [] },
      };
      status.textContent = `#${run.id}: loading the kernels…`;
      await library();
      if (context.signal.aborted) return;
      worker ??= startWorker();
      live = { run, worker, grace: null };
      runs.push(run);
      if (runs.length > PLAYGROUND_MAX_RUNS) runs.shift();
      post(worker, { type: "start", run: run.id, state });
    })().catch((e: unknown) => {
      showError(problems, "Training could not start", [String((e as Error)?.message ?? e)]);
      train.disabled = false;
      stop.disabled = true;
    });
  });

  stop.addEventListener("click", () => {
    if (!live || live.grace !== null) return;
    const current = live;
    stop.disabled = true;
    status.textContent = `#${current.run.id}: stopping…`;
    post(current.worker, { type: "stop", run: current.run.id });
    current.grace = setTimeout(() => {
      if (live !== current) return;
      // The step under way is too long to wait for: end the worker, keep the steps seen.
      current.worker.terminate();
      if (worker === current.worker) worker = null;
      finish("stopped", "the step under way was dropped, so the test accuracy was not measured.");
      keep();
    }, STOP_GRACE_MS);
  });

  context.signal.addEventListener("abort", () => {
    worker?.terminate();
    worker = null;
    if (live?.grace) clearTimeout(live.grace);
    live = null;
  }, { once: true });

  if (runs.length) {
    await library();
    await redraw(lib!);
  }
}
