/**
 * The library in a real browser (Debian's Chromium): the built ES modules of dist/ loaded by a
 * page from a local server, exactly as a page or a bundle would load them. The WebAssembly
 * kernels compile from the bytes inside the package (the server would answer 404 to any
 * other fetch, and the test fails on console errors), run an LSTM and agree with the
 * TypeScript kernels; threads run where the page is cross-origin isolated, and elsewhere
 * setThreads quietly stays at one.
 */
import { createServer, type Server } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join, normalize } from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "playwright-core";
import { launchChromium, watchConsole, type ConsoleLog } from "./browser.js";
import { REPO } from "./jupyter.js";

let server: Server;
let origin: string;
let browser: Browser;
const requested: string[] = [];

/** /plain/... and /isolated/... both serve dist/; /isolated/ adds the headers that make a page cross-origin isolated. */
function serve(): Promise<void> {
  server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    requested.push(url.pathname);
    const [, area, ...rest] = url.pathname.split("/");
    if (area !== "plain" && area !== "isolated") return void res.writeHead(404).end();
    const headers: Record<string, string> = area === "isolated"
      ? { "Cross-Origin-Opener-Policy": "same-origin", "Cross-Origin-Embedder-Policy": "require-corp" }
      : {};
    const path = rest.join("/");
    if (path === "" || path === "index.html") {
      res.writeHead(200, { ...headers, "Content-Type": "text/html" }).end("<!doctype html><link rel=icon href=\"data:,\"><title>seqlab</title><p>seqlab</p>");
      return;
    }
    const file = normalize(join(REPO, path));
    if (!file.startsWith(join(REPO, "dist"))) return void res.writeHead(404).end();
    try {
      const body = await readFile(file);
      const type = extname(file) === ".js" ? "text/javascript" : "application/octet-stream";
      res.writeHead(200, { ...headers, "Content-Type": type }).end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => {
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    resolve();
  }));
}

beforeAll(async () => {
  await serve();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => server?.close(r));
});

/** What the page reports after running an LSTM on both backends. */
interface PageResult {
  readyWasm: boolean;
  crossOriginIsolated: boolean;
  threads: number;
  gateCalls: number;
  /** Calls of the products on a W_hh packed once per time loop, and of Adam's WebAssembly step. */
  packedCalls: number;
  adamCalls: number;
  maxDiff: number;
  scale: number;
  threadsSame: boolean;
}

/**
 * What runs in the page, as source text: handed to the browser as it is, so that no test
 * transform rewrites its dynamic imports. AREA and THREADS are filled in per page.
 */
const PAGE_SCRIPT = `(async () => {
  const s = await import("/AREA/dist/index.js");
  const w = await import("/AREA/dist/kernels/wasm.js");
  const readyWasm = await s.ready();
  // Count the WebAssembly LSTM gate-kernel calls, the packed products and Adam's steps, to be
  // sure the wasm run really used them.
  const rt = w.wasmRuntime();
  const calls = { lstm: 0, gemmPacked: 0, adamStep: 0 };
  const original = rt.exports;
  const counting = {};
  for (const [name, v] of Object.entries(original)) {
    const key = Object.keys(calls).find((k) => name.startsWith(k));
    counting[name] = typeof v === "function" && key ? (...a) => { calls[key]++; return v(...a); } : v;
  }
  Object.defineProperty(rt, "exports", { value: counting, configurable: true });
  const run = (backend) => {
    s.setBackend(backend);
    s.manualSeed(1);
    const lstm = new s.LSTM({ inputSize: 16, hiddenSize: 128 });
    const x = s.randn([12, 32, 16], { requiresGrad: true });
    const [out] = lstm.forward(x);
    s.sum(out.mul(out)).backward();
    const grads = lstm.parameters().map((p) => p.grad.data.slice());
    new s.Adam(lstm, { lr: 0.01 }).step();
    return [out.data, x.grad.data, ...grads, ...lstm.parameters().map((p) => p.data)];
  };
  const wasm = run("wasm");
  Object.defineProperty(rt, "exports", { value: original, configurable: true });
  const js = run("js");
  let maxDiff = 0, scale = 0;
  wasm.forEach((a, i) => a.forEach((v, q) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - js[i][q]));
    scale = Math.max(scale, Math.abs(js[i][q]));
  }));
  const threads = await s.setThreads(THREADS);
  const threaded = run("wasm");
  await s.setThreads(1);
  const threadsSame = threaded.every((a, i) => a.every((v, q) => v === wasm[i][q]));
  return {
    readyWasm, crossOriginIsolated: globalThis.crossOriginIsolated, threads,
    gateCalls: calls.lstm, packedCalls: calls.gemmPacked, adamCalls: calls.adamStep, maxDiff, scale, threadsSame,
  };
})()`;

/** Loads the library in a page under `area` and runs the comparison there. */
async function runInPage(page: Page, area: "plain" | "isolated", threads: number): Promise<PageResult> {
  await page.goto(`${origin}/${area}/index.html`);
  return page.evaluate(PAGE_SCRIPT.replaceAll("AREA", area).replace("THREADS", String(threads))) as Promise<PageResult>;
}

describe("seqlab in Chromium", () => {
  let page: Page;
  let log: ConsoleLog;

  it("loads the WebAssembly kernels from the package (no fetch), agrees with the TypeScript kernels; one thread without isolation", async () => {
    page = await browser.newPage();
    log = watchConsole(page);
    const r = await runInPage(page, "plain", 2);
    expect(r.readyWasm).toBe(true);
    expect(r.crossOriginIsolated).toBe(false);
    expect(r.gateCalls).toBeGreaterThan(0);
    // Forward and backward, one packed h·W_hhᵀ (dG·W_hh) a step, 12 steps; Adam's step on each of the 4 parameters.
    expect(r.packedCalls).toBe(24);
    expect(r.adamCalls).toBe(4);
    expect(r.maxDiff).toBeLessThanOrEqual(2e-6 * Math.max(1, r.scale));
    // No SharedArrayBuffer here: setThreads(2) stays at 1, without an error.
    expect(r.threads).toBe(1);
    expect(r.threadsSame).toBe(true);
    expect(requested.filter((p) => p.endsWith(".wasm"))).toEqual([]);
    expect(log.errors).toEqual([]);
    await page.close();
  });

  it("runs on 2 threads (Web Workers) in a cross-origin isolated page, with identical results", async () => {
    page = await browser.newPage();
    log = watchConsole(page);
    const r = await runInPage(page, "isolated", 2);
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.readyWasm).toBe(true);
    expect(r.threads).toBe(2);
    expect(r.threadsSame).toBe(true);
    expect(r.maxDiff).toBeLessThanOrEqual(2e-6 * Math.max(1, r.scale));
    expect(log.errors).toEqual([]);
    await page.close();
  });
});
