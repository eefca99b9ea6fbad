/**
 * What the browser benches share: a bundled JupyterLab on a free loopback port serving a
 * scratch folder of notebooks, and Debian's Chromium. Plain JavaScript on purpose (the e2e
 * helpers are TypeScript run by vitest); it reuses kernel/setup.mjs and kernel/server.mjs.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { ROOT, findPython } from "../kernel/setup.mjs";
import { serverLaunch } from "../kernel/server.mjs";

function freePort() {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => done(port));
    });
  });
}

/** A tslab notebook of code cells. */
export function codeNotebook(sources) {
  const code = (source) => ({ cell_type: "code", metadata: {}, execution_count: null, outputs: [], source });
  return {
    nbformat: 4, nbformat_minor: 5,
    metadata: { kernelspec: { display_name: "TypeScript (tslab)", language: "typescript", name: "tslab" } },
    cells: sources.map(code),
  };
}

/**
 * Starts JupyterLab on test-results/<name> holding `notebooks` ({ file name: notebook }) and
 * waits until it answers; `extraEnv` is added to its environment. `stop()` ends its process group.
 */
export async function benchLab(name, notebooks, extraEnv = {}) {
  const root = join(ROOT, "test-results", name);
  for (const d of [root, `${root}.data`, `${root}.runtime`]) rmSync(d, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const [file, nb] of Object.entries(notebooks)) writeFileSync(join(root, file), JSON.stringify(nb));
  const port = await freePort();
  const token = randomBytes(16).toString("hex");
  const launch = serverLaunch({ python: findPython(), port, root, token, terminals: false, extraEnv: { JUPYTER_DATA_DIR: `${root}.data`, JUPYTER_RUNTIME_DIR: `${root}.runtime`, ...extraEnv } });
  const server = spawn(launch.command, launch.args, { cwd: root, env: launch.env, detached: true, stdio: "ignore" });
  const url = `http://127.0.0.1:${port}`;
  const stop = () => {
    try { process.kill(-server.pid, "SIGTERM"); } catch { /* gone */ }
  };
  for (let k = 0; ; k++) {
    try {
      if ((await fetch(`${url}/api/status?token=${token}`)).ok) break;
    } catch { /* not up yet */ }
    if (k > 240) {
      stop();
      throw new Error("the Jupyter server did not start");
    }
    await new Promise((d) => setTimeout(d, 250));
  }
  return { url, token, root, stop };
}

export function benchBrowser() {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"] });
}

/** Opens `file` in JupyterLab and waits for an idle kernel. */
export async function openNotebook(page, lab, file) {
  await page.goto(`${lab.url}/lab/tree/${file}?token=${lab.token}`);
  await page.waitForFunction(() => [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => /tslab\) \| Idle$/.test((e.textContent ?? "").trim())), undefined, { timeout: 120_000 });
}

/** Runs all cells of the open notebook from the Run menu. */
export async function runAll(page) {
  await page.locator(".lm-MenuBar-itemLabel", { hasText: /^Run$/ }).click();
  await page.locator(".lm-Menu-itemLabel", { hasText: /^Run All Cells$/ }).click();
}

/** Opens `file` in JupyterLab, waits for an idle kernel, and runs all cells from the menu. */
export async function openAndRunAll(page, lab, file) {
  await openNotebook(page, lab, file);
  await runAll(page);
}

/** Never hang: exits after `ms` with a message (a failing cell would leave a page waiting). */
export function watchdog(name, ms, cleanup) {
  return setTimeout(() => {
    console.error(`${name}: timed out after ${ms / 1000} s`);
    cleanup();
    process.exit(1);
  }, ms);
}
