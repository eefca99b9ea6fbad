/**
 * Browser micro-benchmark of the plots (not a test): starts the bundled JupyterLab, runs a
 * notebook that shows
 *   1. a gate timeline of 64 units × 1,000 steps (the payload built directly, so that all 1,000
 *      columns reach the renderer; plot.gates itself averages above 500 steps), and
 *   2. a cell diagram of 64 units × 200 steps,
 * and prints: the gate timeline's render time (from the output element being attached to all
 * six plotly panels drawn), the cell diagram's scrubbing cost per step (slider input events over
 * all 200 steps, one per animation frame), and the extension's bundle size.
 *
 *   npm run bench:browser
 *
 * Plain JavaScript, like the other browser benches, whose server and browser set-up it shares
 * (bench/lab.mjs).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { JUPYTER_PATH, setup } from "../kernel/setup.mjs";
import { benchBrowser, benchLab, codeNotebook, openNotebook, runAll, watchdog } from "./lab.mjs";

const UNITS = 64;
const GATE_STEPS = 1000;
const CELL_STEPS = 200;

/** The benchmark notebook: tslab cells that build the two payloads from a seeded random trace. */
function notebook() {
  return codeNotebook([
    `import { plot, rand, randn, manualSeed } from "seqlab";
manualSeed(0);
// A fake LSTM trace: gates in [0, 1], states signed, (T, 1, H).
function fakeTrace(T: number, H: number) {
  const gate = () => rand([T, 1, H]);
  const signed = () => randn([T, 1, H]);
  return [{ layer: 0, direction: "forward" as const, key: "l0", i: gate(), f: gate(), g: signed(), o: gate(), c: signed(), h: signed(), dh: null }];
}
// plot.gates averages 1,000 steps down to 500 columns; the benchmark puts all 1,000 back.
const full = fakeTrace(${GATE_STEPS}, ${UNITS});
const half = plot.gates(full, { show: false });
const rows = (t: any) => Array.from({ length: ${GATE_STEPS} }, (_, s) => Array.from(t.data.slice(s * ${UNITS}, (s + 1) * ${UNITS}) as Float32Array));
const payload = { ...half, title: "bench: ${UNITS} units × ${GATE_STEPS} steps", tokens: Array.from({ length: ${GATE_STEPS} }, (_, t) => "w" + t),
  entries: [{ ...half.entries[0], panels: half.entries[0].panels.map((p: any) => ({ ...p, z: rows((full[0] as any)[p.key]) })) }] };
const check = plot.validatePlot(payload);
if (!check.ok) throw new Error((check as any).errors.join("; "));
console.log("payload", JSON.stringify(payload).length, "bytes");`,
    `plot.display({ [plot.MIME_TYPE]: payload, "text/plain": "bench gates" });`,
    // The same payload as one JSON string: JupyterLab's shared notebook model then stores one
    // string instead of ~400,000 nested array items.
    `plot.display({ [plot.MIME_TYPE]: JSON.stringify(payload), "text/plain": "bench gates (as a string)" });`,
    `plot.cell(fakeTrace(${CELL_STEPS}, ${UNITS}), { title: "bench: ${UNITS} units × ${CELL_STEPS} steps" });`,
  ]);
}

function bundleSize() {
  const dir = join(JUPYTER_PATH, "labextensions", "@seqlab", "jupyterlab", "static");
  let total = 0;
  let plotly = 0;
  for (const f of readdirSync(dir)) {
    const size = statSync(join(dir, f)).size;
    total += size;
    // The lazily loaded chunk with plotly.js in it (the only file that defines Plotly).
    if (f.endsWith(".js") && readFileSync(join(dir, f), "utf8").includes("Plotly")) plotly += size;
  }
  return { total, plotly, rest: total - plotly };
}

async function main() {
  setup({ dev: true });
  const lab = await benchLab("bench-lab", { "bench.ipynb": notebook() });
  // Never hang (a failing cell would leave the page waiting): give up after 5 minutes.
  const timer = watchdog("browser-plots", 300_000, () => lab.stop());
  const browser = await benchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await openNotebook(page, lab, "bench.ipynb");
    // Stamp the moment each seqlab output element is attached.
    await page.evaluate(() => {
      const w = window;
      w.__attached = [];
      new MutationObserver((records) => {
        // The output area attaches a wrapper; the seqlab widget is it or inside it.
        for (const r of records) for (const n of r.addedNodes) if (n instanceof HTMLElement && (n.matches(".seqlab-plot") || n.querySelector(".seqlab-plot"))) w.__attached.push(performance.now());
      }).observe(document.body, { childList: true, subtree: true });
    });
    await runAll(page);

    // 1. Gate timeline: attached → all six panels drawn by plotly, checked every animation frame.
    const timeline = (index) => page.evaluate((k) => new Promise((done) => {
      const tick = () => {
        const plot = document.querySelectorAll(".seqlab-plot")[k];
        const drawn = plot ? plot.querySelectorAll(".seqlab-panel .main-svg .hm").length : 0;
        if (drawn === 6) return done(performance.now() - window.__attached[k]);
        requestAnimationFrame(tick);
      };
      tick();
    }), index);
    const gatesMs = await timeline(0);
    const gatesStringMs = await timeline(1);

    // 2. Cell diagram: one slider input per animation frame over every step.
    await page.waitForSelector(".seqlab-cell .seqlab-slider", { timeout: 120_000 });
    const scrub = await page.evaluate((steps) => new Promise((done) => {
      const slider = document.querySelector(".seqlab-cell .seqlab-slider");
      const root = document.querySelector(".seqlab-cell");
      const work = []; // ms from the frame's start to the end of the diagram's update (script)
      const frames = []; // ms between consecutive frames (script + style + layout + paint)
      let t = 0;
      let last = null;
      const step = () => {
        slider.value = String(t);
        slider.dispatchEvent(new Event("input", { bubbles: true }));
        requestAnimationFrame((frameStart) => {
          // Runs after the diagram's own callback in the same frame.
          if (root.getAttribute("data-step") !== String(t)) throw new Error("the diagram did not update within the frame");
          work.push(performance.now() - frameStart);
          if (last !== null) frames.push(frameStart - last);
          last = frameStart;
          t += 1;
          if (t < steps) step();
          else done({ work, frames });
        });
      };
      step();
    }), CELL_STEPS);
    const stats = (xs) => {
      const s = [...xs].sort((a, b) => a - b);
      return { mean: s.reduce((a, v) => a + v, 0) / s.length, median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], max: s.at(-1) };
    };
    const w = stats(scrub.work);
    const f = stats(scrub.frames);
    const b = bundleSize();
    const kb = (n) => `${(n / 1024).toFixed(0)} KB`;
    console.log(`gate timeline, ${UNITS} units × ${GATE_STEPS} steps (6 heatmaps): ${gatesMs.toFixed(0)} ms from output attached to all panels drawn (payload as a JSON object); ${gatesStringMs.toFixed(0)} ms with the payload sent as a JSON string`);
    console.log(`cell diagram scrubbing, ${UNITS} units × ${CELL_STEPS} steps: update ${w.mean.toFixed(2)} ms mean, ${w.p95.toFixed(2)} ms p95, ${w.max.toFixed(2)} ms max per step; frame interval ${f.median.toFixed(1)} ms median, ${f.max.toFixed(1)} ms max`);
    console.log(`extension bundle: ${kb(b.total)} in static/ (plotly chunk ${kb(b.plotly)}, everything else ${kb(b.rest)})`);
  } finally {
    clearTimeout(timer);
    await browser.close();
    lab.stop();
  }
}

await main();
