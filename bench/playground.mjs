/**
 * Browser benchmark of the playground (not a test): in the bundled JupyterLab in headless
 * Chromium, trains an LSTM with H = 128 (1,000 steps, kernels "auto") and prints
 *   - the page's frame rate while it trains (requestAnimationFrame callbacks per second over
 *     4 s, and the longest gap between two frames), next to the idle page's, and
 *   - how long Stop takes: from the click to the Train button being enabled again, over
 *     ROUNDS runs (each stopped 2 s after its first step shows).
 *
 *   npm run bench:playground               (builds what is out of date first)
 *   node bench/playground.mjs --no-build     (measures the extension as it is installed)
 */
import { setup } from "../kernel/setup.mjs";
import { benchBrowser, benchLab, codeNotebook, openAndRunAll, watchdog } from "./lab.mjs";

const ROUNDS = 3;
const WINDOW_MS = 4000;

/** Frames in the next `ms` milliseconds, and the longest gap between two, measured in the page. */
function frames(page, ms) {
  return page.evaluate((window_) => new Promise((done) => {
    const times = [];
    const start = performance.now();
    const tick = (t) => {
      times.push(t);
      if (performance.now() - start < window_) requestAnimationFrame(tick);
      else {
        const gaps = times.slice(1).map((v, k) => v - times[k]);
        done({ fps: (1000 * (times.length - 1)) / (times.at(-1) - times[0]), maxGapMs: Math.max(...gaps) });
      }
    };
    requestAnimationFrame(tick);
  }), ms);
}

async function main() {
  if (!process.argv.includes("--no-build")) setup();
  const lab = await benchLab("bench-playground", {
    "bench.ipynb": codeNotebook([`import { plot } from "seqlab";\nplot.playground({ cell: "lstm", hiddenSize: 128, steps: 1000 });`]),
  });
  const browser = await benchBrowser();
  const timer = watchdog("bench playground", 300_000, () => lab.stop());
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
    await openAndRunAll(page, lab, "bench.ipynb");
    const root = page.locator(".seqlab-playground");
    const train = root.locator("button[data-part='train']");
    await train.waitFor({ state: "visible", timeout: 120_000 });
    const idle = await frames(page, 2000);
    const stops = [];
    let training = null;
    for (let round = 0; round < ROUNDS; round++) {
      await train.click();
      await page.waitForFunction(() => /step [1-9]\d*\/1000/.test(document.querySelector(".seqlab-playground [role='status']")?.textContent ?? ""), undefined, { timeout: 120_000 });
      if (round === 0) training = await frames(page, WINDOW_MS);
      else await page.waitForTimeout(2000);
      // Clicked and timed inside the page, so the driver's round trips are not counted.
      stops.push(await page.evaluate(() => new Promise((done) => {
        const bar = document.querySelector(".seqlab-playground");
        const trainButton = bar.querySelector("button[data-part='train']");
        const t0 = performance.now();
        const observer = new MutationObserver(() => {
          if (!trainButton.disabled) {
            observer.disconnect();
            done(performance.now() - t0);
          }
        });
        observer.observe(trainButton, { attributes: true });
        bar.querySelector("button[data-part='stop']").click();
      })));
    }
    const status = await root.locator(".seqlab-controls [role='status']").textContent();
    console.log(`idle page: ${idle.fps.toFixed(1)} fps (longest frame gap ${idle.maxGapMs.toFixed(0)} ms)`);
    console.log(`training LSTM H=128: ${training.fps.toFixed(1)} fps (longest frame gap ${training.maxGapMs.toFixed(0)} ms) over ${WINDOW_MS / 1000} s`);
    const sorted = [...stops].sort((a, b) => a - b);
    console.log(`Stop → Train enabled again: ${stops.map((s) => s.toFixed(0)).join(", ")} ms (median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} ms, max ${sorted.at(-1).toFixed(0)} ms)`);
    console.log(`last status: ${status}`);
  } finally {
    clearTimeout(timer);
    await browser.close();
    lab.stop();
  }
}

await main();
