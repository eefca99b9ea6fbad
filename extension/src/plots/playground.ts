/**
 * The playground: the settings as controls (playground-controls.ts), the task's line and one
 * example sequence, Train, Sweep and Stop, the training curves of every run so far, a table of
 * them, the heatmap of the last sweep (playground-sweep.ts), a look inside any run
 * (playground-inside.ts) and its code (playground-copy.ts). Training happens in the page but
 * off its main thread, in a Web Worker (playground-worker.ts) that runs seqlab's `Experiment`
 * on its WebAssembly kernels; the kernel is not involved. The page only draws what the worker
 * reports, so it stays responsive however big the model.
 *
 * Finished runs are written back into the output (`DrawContext.keep`), so saving the notebook
 * keeps them and reopening it shows them again. The library (for the chart's payload, the
 * table's numbers, the code and the kept bundle) is loaded on the first Train or when there are
 * kept runs to show, so that the other plots do not carry it.
 */
import type { PlaygroundState } from "seqlab";
import { PLAYGROUND_MAX_RUNS, PLAYGROUND_TASK_ABOUT, type PlaygroundChoiceParam, type PlaygroundPlot, type PlaygroundRun } from "seqlab/schema";
import { showError } from "../error-box.js";
import type { DrawContext } from "./index.js";
import { playgroundControls } from "./playground-controls.js";
import { showCode } from "./playground-copy.js";
import { insidePanel, sequenceWords } from "./playground-inside.js";
import type { FromWorker, ToWorker } from "./playground-protocol.js";
import { drawHeatmap, sweepControls, sweepOfRuns } from "./playground-sweep.js";
import { drawTraining } from "./training.js";
import { controlButton, header } from "./common.js";

/**
 * How long Stop waits for the worker to finish its step. Past it (a step can take longer than
 * this with a big batch and a long lag) the worker is ended at once and a fresh one trains
 * the next run; the stopped run then keeps its steps but has no test accuracy.
 */
const STOP_GRACE_MS = 80;
/** Least time between two redraws of the chart and the table while a run trains. */
const CHART_MS = 1000;
/** Typing in the text box asks for a new example once the typing pauses this long. */
const EXAMPLE_MS = 250;

function div(parent: HTMLElement, className: string): HTMLDivElement {
  const d = document.createElement("div");
  d.className = className;
  parent.appendChild(d);
  return d;
}

/** The seqlab library, loaded on first use. */
type Library = typeof import("seqlab/playground");

/** The column of each row's buttons, after the library's columns. */
const ACTIONS = "";

function fillTable(lib: Library, table: HTMLTableElement, runs: readonly PlaygroundRun[], live: PlaygroundRun | null, open: number | null): void {
  const head = document.createElement("tr");
  for (const c of [...lib.PLAYGROUND_RUN_COLUMNS, ACTIONS]) {
    const th = document.createElement("th");
    th.textContent = c;
    head.appendChild(th);
  }
  const rows = runs.map((run) => {
    const tr = document.createElement("tr");
    tr.dataset.run = String(run.id);
    if (run.sweep !== null) tr.dataset.sweep = String(run.sweep);
    if (run.id === open) tr.classList.add("seqlab-run-open");
    const cells = lib.playgroundRunCells(run);
    if (run === live) cells[cells.length - 1] = "training…";
    for (const text of cells) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.appendChild(td);
    }
    const actions = document.createElement("td");
    actions.className = "seqlab-run-actions";
    for (const [action, text] of [["inside", "look inside"], ["code", "copy as code"]] as const) {
      controlButton(actions, text, action, "seqlab-link").dataset.action = action;
    }
    tr.appendChild(actions);
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
  /** Resolves when the run has ended (however): the next run of a sweep may start. */
  settle: () => void;
}

export async function drawPlayground(host: HTMLElement, payload: PlaygroundPlot, context: DrawContext): Promise<void> {
  header(host, payload.title, payload.note);
  const root = div(host, "seqlab-playground");
  const controls = playgroundControls(root, payload.state);
  const about = div(root, "seqlab-playground-about");
  const aboutLine = div(about, "seqlab-note");
  aboutLine.dataset.part = "about";
  const exampleLine = div(about, "seqlab-playground-example");
  exampleLine.dataset.part = "example";
  const caveatLine = div(about, "seqlab-playground-caveat");
  caveatLine.dataset.part = "caveat";
  const exampleProblems = div(about, "seqlab-playground-problems");
  const bar = div(root, "seqlab-controls");
  const train = controlButton(bar, "Train", "train");
  const stop = controlButton(bar, "Stop", "stop");
  stop.disabled = true;
  // Share: the cell that shows this playground as it is set up now, to hand out as a question.
  const share = controlButton(bar, "Share", "share");
  share.title = "The notebook cell that shows this playground with the settings and the sweep chosen here";
  const status = document.createElement("span");
  status.className = "seqlab-progress";
  status.setAttribute("role", "status");
  bar.appendChild(status);
  const sweep = sweepControls(root, payload.sweep, payload.state);
  const problems = div(root, "seqlab-playground-problems");
  const chart = div(root, "seqlab-playground-chart");
  const heatmap = div(root, "seqlab-playground-heatmap");
  // The table scrolls sideways inside the output if it is still too wide for it, so no column is ever out of reach.
  const tableBox = div(root, "seqlab-runs-box");
  const table = document.createElement("table");
  table.className = "seqlab-runs";
  tableBox.appendChild(table);
  const inside = insidePanel(root, context.signal);
  const codeBox = div(root, "seqlab-playground-code");

  const runs: PlaygroundRun[] = payload.runs?.list.map((r) => ({ ...r, curve: { ...r.curve } })) ?? [];
  let nextId = (runs.at(-1)?.id ?? 0) + 1;
  let nextSweep = Math.max(0, ...runs.map((r) => r.sweep ?? 0)) + 1;
  /** The axes of the sweeps started in this page (a kept sweep's are read back from its runs). */
  const sweepAxes = new Map<number, { params: PlaygroundChoiceParam[]; values: (string | number | boolean)[][] }>();
  let lib: Library | null = null;
  const library = async (): Promise<Library> => (lib ??= await import("seqlab/playground"));
  /** The worker, started for the first example and kept for the runs; ended with the output. */
  let worker: Worker | null = null;
  /** Runs whose model the current worker holds (trained by it); a fresh worker holds none. */
  let trainedHere = new Set<number>();
  let live: Live | null = null;
  /** Set by Stop during a sweep: the runs not yet started are not started. */
  let sweepStopped = false;
  let sweeping = false;
  /** The run opened for looking inside (its row is highlighted). */
  let opened: number | null = null;
  const num = (v: number | null): string => (lib ? lib.fmtOrGap(v !== null && Number.isFinite(v) ? v : null) : "—");

  status.textContent = runs.length
    ? `${runs.length} run${runs.length === 1 ? "" : "s"} kept in this output from before; change a setting and press Train for another.`
    : "Pick settings and press Train: the model trains here, in a background worker of this page, and finished runs are kept in the notebook when you save it.";

  const runName = (l: Library, run: PlaygroundRun): string => {
    const s = l.playgroundSummary(run.state);
    return `#${run.id} ${s.model} · ${s.task}`;
  };

  const drawSweep = (l: Library): void => {
    const last = runs.filter((r) => r.sweep !== null).at(-1)?.sweep ?? null;
    if (last === null) return void heatmap.replaceChildren();
    const mine = runs.filter((r) => r.sweep === last);
    const axes = sweepAxes.get(last) ?? sweepOfRuns(mine);
    drawHeatmap(heatmap, last, mine, axes.params, axes.values, (v) => l.fmtOrGap(v), (run) => openRun(run));
  };

  const table_ = (): void => {
    if (!lib) return;
    fillTable(lib, table, runs, live?.run ?? null, opened);
    drawSweep(lib);
  };

  const redraw = async (l: Library): Promise<void> => {
    const current = live?.run ?? null;
    const progress = current && {
      step: current.stepsTaken, totalSteps: current.state.steps, loss: current.finalLoss,
      stepsPerSecond: current.msPerStep ? 1000 / current.msPerStep : null, secondsLeft: null, done: false,
    };
    const curves = l.trainingPayload(
      // Drawn as they will be kept (at most PLAYGROUND_MAX_POINTS points a run): a plotly
      // redraw's cost grows with the points, and it is paid once a second while a run trains.
      runs.map((run) => l.keptPlaygroundRun(run)).map((r) => ({
        name: runName(l, r), steps: r.curve.steps,
        // A kept gap (null) is a NaN to the builder, which shows it as a gap again.
        loss: r.curve.loss.map((v) => v ?? NaN), accuracy: r.curve.accuracy.map((v) => v ?? NaN),
      })),
      { title: "Loss and accuracy on each training batch", metrics: ["loss", "accuracy"] },
      progress && { ...progress, line: l.progressLine(progress) },
      "plot.playground",
    );
    await drawTraining(chart, curves);
    // The table and the heatmap in a task of their own, after the chart's (see drawTraining).
    await new Promise((next) => requestAnimationFrame(next));
    table_();
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
    if (chartDue !== null || context.signal.aborted) return;
    const wait = live ? Math.max(0, lastChart + CHART_MS - performance.now()) : 0;
    chartDue = setTimeout(() => {
      chartDue = null;
      frame2 = requestAnimationFrame(drawChart);
    }, wait);
  };
  let frame2 = 0;

  /** Writes the runs into the output, so that saving the notebook keeps them. */
  const keep = (): void => {
    if (!lib || context.signal.aborted) return;
    try {
      context.keep(lib.playgroundBundle(payload, runs));
    } catch (e) {
      showError(problems, "The runs could not be kept in the notebook", [String((e as Error)?.message ?? e)]);
    }
  };

  const idle = (): void => {
    train.disabled = false;
    sweep.button.disabled = false;
    stop.disabled = true;
  };

  const finish = (ended: PlaygroundRun["ended"], why: string): void => {
    if (!live) return;
    const { run, grace, settle } = live;
    if (grace !== null) clearTimeout(grace);
    run.ended = ended;
    live = null;
    if (!sweeping) idle();
    status.textContent = `#${run.id} ${endedWords(run)}: ${why}`;
    // The table says how the run ended as soon as Train is back (the chart follows).
    table_();
    scheduleChart();
    settle();
  };

  const runOf = (from: Worker, m: Extract<FromWorker, { type: "steps" | "ended" | "tested" }>): PlaygroundRun | null => {
    if (live && live.worker === from && live.run.id === m.run) return live.run;
    // The test accuracy comes after the run has ended.
    if (m.type === "tested" && worker === from) return runs.find((r) => r.id === m.run) ?? null;
    return null;
  };
  const endedWords = (run: PlaygroundRun): string => (run.ended === "done" ? "done" : lib!.playgroundEndedText(run));

  /** Answers the page waits for, by request (examples) or by run (look inside). */
  let exampleAsked = 0;
  const insideWaiting = new Map<number, (m: Extract<FromWorker, { type: "inside" }>) => void>();

  const onExample = (m: Extract<FromWorker, { type: "example" }>): void => {
    if (m.run !== exampleAsked) return;
    aboutLine.textContent = m.about;
    exampleProblems.replaceChildren();
    if (m.error) {
      exampleLine.textContent = "";
      showError(exampleProblems, "These settings give no data to train on", [m.error]);
    } else {
      exampleLine.textContent = `example: ${sequenceWords(m)}`;
    }
    caveatLine.textContent = m.caveat;
    caveatLine.hidden = !m.caveat;
  };

  const onMessage = (from: Worker, m: FromWorker): void => {
    if (from !== worker) return;
    if (m.type === "example") return onExample(m);
    if (m.type === "inside") return insideWaiting.get(m.run)?.(m);
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
        showError(problems, `Run #${run.id} stopped`, [m.message]);
        finish("failed", "the run could not go on.");
        keep();
      } else {
        trainedHere.add(run.id);
        finish(m.ended, "measuring the test accuracy…");
      }
    } else {
      run.testAccuracy = Number.isFinite(m.testAccuracy) ? m.testAccuracy : null;
      run.chance = Number.isFinite(m.chance) ? m.chance : null;
      if (!live) status.textContent = `#${run.id} ${endedWords(run)}: test accuracy ${num(run.testAccuracy)} (chance ${num(run.chance)}) · ${num(run.msPerStep)} ms/step · ${run.kernels}`;
      table_();
      scheduleChart();
      keep();
    }
  };

  const startWorker = (): Worker => {
    const w = new Worker(new URL("./playground-worker.js", import.meta.url));
    trainedHere = new Set();
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
  const theWorker = (): Worker => (worker ??= startWorker());
  const post = (w: Worker, message: ToWorker): void => w.postMessage(message);

  let exampleDue: ReturnType<typeof setTimeout> | null = null;
  const askExample = (state: PlaygroundState): void => {
    // The line is the schema's, at once; the example and the caveat follow from the worker.
    aboutLine.textContent = PLAYGROUND_TASK_ABOUT[state.task];
    post(theWorker(), { type: "example", run: ++exampleAsked, state });
  };
  askExample(controls.read());
  controls.onChange((state) => {
    sweep.refresh(state);
    if (exampleDue !== null) clearTimeout(exampleDue);
    exampleDue = setTimeout(() => {
      exampleDue = null;
      if (!context.signal.aborted) askExample(controls.read());
    }, EXAMPLE_MS);
  });

  /** Trains one run; resolves once it has ended (its test accuracy may still be on the way). */
  const trainOne = async (state: PlaygroundState, sweepId: number | null): Promise<void> => {
    const run: PlaygroundRun = {
      id: nextId++, state, stepsTaken: 0, finalLoss: null, testAccuracy: null, chance: null, sweep: sweepId, msPerStep: null, kernels: "", ended: "done",
      curve: { steps: [], loss: [], accuracy: [] },
    };
    status.textContent = `#${run.id}: loading the kernels…`;
    await library();
    if (context.signal.aborted) return;
    const w = theWorker();
    const ended = new Promise<void>((settle) => void (live = { run, worker: w, grace: null, settle }));
    runs.push(run);
    if (runs.length > PLAYGROUND_MAX_RUNS) runs.shift();
    post(w, { type: "start", run: run.id, state });
    table_();
    await ended;
  };

  const busy = (): void => {
    train.disabled = true;
    sweep.button.disabled = true;
    stop.disabled = false;
    problems.replaceChildren();
  };

  train.addEventListener("click", () => {
    busy();
    trainOne(controls.read(), null).catch((e: unknown) => {
      showError(problems, "Training could not start", [String((e as Error)?.message ?? e)]);
      live = null;
      idle();
    });
  });

  sweep.button.addEventListener("click", () => {
    const chosen = sweep.read();
    if ("error" in chosen) {
      problems.replaceChildren();
      return void showError(problems, "No sweep to run", [chosen.error]);
    }
    busy();
    void (async () => {
      const l = await library();
      const states = l.sweepSettings(controls.read(), chosen.sweep);
      const id = nextSweep++;
      sweepAxes.set(id, chosen.sweep);
      sweeping = true;
      sweepStopped = false;
      for (const state of states) {
        if (sweepStopped || context.signal.aborted) break;
        await trainOne(state, id);
      }
    })().catch((e: unknown) => showError(problems, "The sweep could not run", [String((e as Error)?.message ?? e)])).finally(() => {
      sweeping = false;
      live = null;
      if (!context.signal.aborted) idle();
    });
  });

  stop.addEventListener("click", () => {
    sweepStopped = true;
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

  /** Opens `run` for looking inside: highlights its row, and shows its plots below the table. */
  function openRun(run: PlaygroundRun): void {
    opened = run.id;
    table_();
    const l = lib!;
    const s = l.playgroundSummary(run.state);
    const title = `Inside run #${run.id}: ${s.model} on ${s.task}`;
    if (live?.run === run) return inside.say(title, "This run is still training: look inside once it has ended.");
    if (run.ended === "failed") return inside.say(title, "This run failed: there is no trained model to look inside.");
    const ask = (): void => {
      inside.say(title, trainedHere.has(run.id) ? "Asking the worker for the run's gates and states…" : "Training it again in the page (the same settings give the same model)…");
      insideWaiting.set(run.id, (m) => {
        insideWaiting.delete(run.id);
        if (opened !== run.id || context.signal.aborted) return;
        trainedHere.add(run.id);
        void inside.show(title, m, m.inside, m.reason);
      });
      post(theWorker(), { type: "inside", run: run.id, state: run.state, stepsTaken: run.stepsTaken });
    };
    if (trainedHere.has(run.id)) return ask();
    inside.say(title, "This run was kept from before: its model is not in this page.", { text: "train it again to look inside", act: ask });
  }

  share.addEventListener("click", () => {
    void library().then((l) => {
      if (context.signal.aborted) return;
      const chosen = sweep.read();
      showCode(codeBox, "This playground as it is set up, as a notebook cell", l.playgroundCall(controls.read(), "sweep" in chosen ? chosen.sweep : undefined, payload.title));
    }).catch((e: unknown) => showError(codeBox, "The cell could not be written", [String((e as Error)?.message ?? e)]));
  });

  table.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest<HTMLElement>("button[data-action]") : null;
    const id = Number(target?.closest<HTMLElement>("tr[data-run]")?.dataset.run);
    const run = runs.find((r) => r.id === id);
    if (!target || !run || !lib) return;
    if (target.dataset.action === "inside") return openRun(run);
    try {
      showCode(codeBox, `Run #${run.id} as a notebook cell`, lib.experimentCode(run.state, `run #${run.id}`, run.ended === "stopped" && run.stepsTaken > 0 ? run.stepsTaken : undefined));
    } catch (e) {
      showError(codeBox, "The code could not be written", [String((e as Error)?.message ?? e)]);
    }
  });

  context.signal.addEventListener("abort", () => {
    worker?.terminate();
    worker = null;
    if (live?.grace) clearTimeout(live.grace);
    live?.settle();
    live = null;
    sweepStopped = true;
    for (const t of [exampleDue, chartDue]) if (t !== null) clearTimeout(t);
    cancelAnimationFrame(frame);
    cancelAnimationFrame(frame2);
    insideWaiting.clear();
    inside.dispose();
  }, { once: true });

  if (runs.length) {
    await library();
    await redraw(lib!);
  }
}
