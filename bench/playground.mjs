/**
 * Browser benchmark of the playground (not a test): in the bundled JupyterLab in headless
 * Chromium, trains an LSTM with H = 128 (1,000 steps, kernels "auto"; once at the playground's
 * defaults, once with batch 128 and k = 30, whose steps take ~8× longer), then runs a sweep
 * (RNN and LSTM × H = 32, 64, 128 at k = 10, 300 steps a run) and prints
 *   - the page's frame rate while it trains (requestAnimationFrame callbacks per second over
 *     4 s, and the longest gap between two frames), next to the idle page's, and
 *   - how long Stop takes: from the click to the Train (for a sweep: the Sweep) button being
 *     enabled again, over ROUNDS runs (each stopped 2 s after its first step shows).
 *
 *   npm run bench:playground               (builds what is out of date first)
 *   node bench/playground.mjs --no-build     (measures the extension as it is installed)
 *   node bench/playground.mjs --no-build --labextensions DIR
 *                    (another build of the extension, found first: DIR/labextensions/@seqlab/jupyterlab)
 */
import { JUPYTER_PATH, setup } from "../kernel/setup.mjs";
import { benchBrowser, benchLab, codeNotebook, openAndRunAll, watchdog } from "./lab.mjs";

const ROUNDS = 3;
const CONFIGS = [
  { cell: "lstm", hiddenSize: 128, steps: 1000 },
  { cell: "lstm", hiddenSize: 128, steps: 1000, batchSize: 128, lag: 30 },
];
const SWEEP = { settings: { task: "recall", lag: 10, steps: 300 }, sweep: { params: ["cell", "hiddenSize"], values: [["rnn", "lstm"], [32, 64, 128]] } };
const WINDOW_MS = 4000;

/**
 * Frames in the next `ms` milliseconds, the longest gap between two, and the main thread's long
 * tasks (over 50 ms, as the browser reports them), measured in the page.
 */
function frames(page, ms) {
  return page.evaluate((window_) => new Promise((done) => {
    const times = [];
    const long = [];
    const observer = new PerformanceObserver((list) => long.push(...list.getEntries().map((e) => e.duration)));
    observer.observe({ type: "longtask" });
    const start = performance.now();
    const tick = (t) => {
      times.push(t);
      if (performance.now() - start < window_) requestAnimationFrame(tick);
      else {
        observer.disconnect();
        const gaps = times.slice(1).map((v, k) => v - times[k]);
        done({ fps: (1000 * (times.length - 1)) / (times.at(-1) - times[0]), maxGapMs: Math.max(...gaps), longTasks: long });
      }
    };
    requestAnimationFrame(tick);
  }), ms);
}
const longText = (f) => `${f.longTasks.length} long task${f.longTasks.length === 1 ? "" : "s"}${f.longTasks.length ? ` (${f.longTasks.map((d) => d.toFixed(0)).join(", ")} ms)` : ""}`;

/** Trains the `index`th playground ROUNDS times (with `part` "sweep": sweeps), stopping each; frame rate during the first. */
async function measure(page, index, part = "train") {
  const root = page.locator(".seqlab-playground").nth(index);
  const train = root.locator(`button[data-part='${part}']`);
  await train.waitFor({ state: "visible", timeout: 120_000 });
  await root.scrollIntoViewIfNeeded();
  const stops = [];
  let training = null;
  for (let round = 0; round < ROUNDS; round++) {
    await train.click();
    // Steps have come and the chart is drawn (plotly loaded): what is measured is training alone.
    await page.waitForFunction((k) => {
      const el = document.querySelectorAll(".seqlab-playground")[k];
      return /step [1-9]\d*\/\d+/.test(el.querySelector(".seqlab-controls [role='status']")?.textContent ?? "") && el.querySelector(".seqlab-panel .main-svg") !== null;
    }, index, { timeout: 120_000 });
    if (round === 0) training = await frames(page, WINDOW_MS);
    else await page.waitForTimeout(2000);
    // Clicked and timed inside the page, so the driver's round trips are not counted.
    stops.push(await page.evaluate(([k, which]) => new Promise((done) => {
      const el = document.querySelectorAll(".seqlab-playground")[k];
      const trainButton = el.querySelector(`button[data-part='${which}']`);
      const t0 = performance.now();
      const observer = new MutationObserver(() => {
        if (!trainButton.disabled) {
          observer.disconnect();
          done(performance.now() - t0);
        }
      });
      observer.observe(trainButton, { attributes: true });
      el.querySelector("button[data-part='stop']").click();
    }), [index, part]));
    await page.waitForFunction((k) => /test accuracy|not measured/.test(document.querySelectorAll(".seqlab-playground")[k].querySelector(".seqlab-controls [role='status']")?.textContent ?? ""), index, { timeout: 60_000 });
  }
  const status = await root.locator(".seqlab-controls [role='status']").textContent();
  return { training, stops, status };
}

async function main() {
  const at = process.argv.indexOf("--labextensions");
  const extraEnv = at > 0 ? { JUPYTER_PATH: `${process.argv[at + 1]}:${JUPYTER_PATH}` } : {};
  if (!process.argv.includes("--no-build")) setup({ dev: true });
  const lab = await benchLab("bench-playground", {
    "bench.ipynb": codeNotebook([
      `import { plot } from "seqlab";`, ...CONFIGS.map((c) => `plot.playground(${JSON.stringify(c)});`),
      `plot.playground(${JSON.stringify(SWEEP.settings)}, { sweep: ${JSON.stringify(SWEEP.sweep)} });`,
    ]),
  }, extraEnv);
  const browser = await benchBrowser();
  const timer = watchdog("bench playground", 600_000, () => lab.stop());
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await openAndRunAll(page, lab, "bench.ipynb");
    await page.locator(".seqlab-playground button[data-part='train']").nth(CONFIGS.length).waitFor({ state: "visible", timeout: 120_000 });
    const idle = await frames(page, 2000);
    console.log(`idle page: ${idle.fps.toFixed(1)} fps (longest frame gap ${idle.maxGapMs.toFixed(0)} ms)`);
    for (let k = 0; k < CONFIGS.length; k++) {
      const { training, stops, status } = await measure(page, k);
      const sorted = [...stops].sort((a, b) => a - b);
      console.log(`${JSON.stringify(CONFIGS[k])}:`);
      console.log(`  while training: ${training.fps.toFixed(1)} fps (longest frame gap ${training.maxGapMs.toFixed(0)} ms, ${longText(training)}) over ${WINDOW_MS / 1000} s`);
      console.log(`  Stop → Train enabled again: ${stops.map((s) => s.toFixed(0)).join(", ")} ms (median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms)`);
      console.log(`  last status: ${status}`);
    }
    const { training, stops, status } = await measure(page, CONFIGS.length, "sweep");
    const sorted = [...stops].sort((a, b) => a - b);
    console.log(`sweep ${JSON.stringify(SWEEP.sweep)} at ${JSON.stringify(SWEEP.settings)}:`);
    console.log(`  while sweeping: ${training.fps.toFixed(1)} fps (longest frame gap ${training.maxGapMs.toFixed(0)} ms, ${longText(training)}) over ${WINDOW_MS / 1000} s`);
    console.log(`  Stop → Sweep enabled again: ${stops.map((s) => s.toFixed(0)).join(", ")} ms (median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms)`);
    console.log(`  last status: ${status}`);
  } finally {
    clearTimeout(timer);
    await browser.close();
    lab.stop();
  }
}

await main();
