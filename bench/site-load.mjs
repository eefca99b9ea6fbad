// `npm run bench:site`: what the JupyterLite site costs a student. Builds the site (stamped),
// then reports its size on disk, and, in headless Chromium with an empty cache and storage, what
// the first open of a notebook downloads and how long it takes until the kernel is idle (median
// of 3 cold loads; `-- --site DIR` measures an existing site; loopback, so the network's speed is left out: divide the bytes by a
// student's bandwidth to add it).
import { readFileSync, readdirSync, statSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { join, relative } from "node:path";
import { chromium } from "playwright-core";
import { assembleSite, buildFrontEnd } from "../kernel/site/build.mjs";
import { serveSite } from "../kernel/site/serve.mjs";
import { ROOT } from "../kernel/setup.mjs";

// `--site DIR` measures a site already built (e.g. by `npm run site`) instead of building one.
const given = process.argv.indexOf("--site");
const out = given > 0 ? process.argv[given + 1] : join(ROOT, "test-results", "bench-site");
if (given < 0) {
  buildFrontEnd();
  assembleSite({ notebooks: join(ROOT, "notebooks"), out });
}

const sizes = new Map();
let total = 0;
let gzipped = 0;
const visit = (dir) => {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) visit(p);
    else {
      const rel = relative(out, p);
      const group = rel.startsWith("build/typescript.js") ? "TypeScript compiler (build/typescript.js)"
        : rel === "build/types.json" ? "declarations for type checks (build/types.json)"
        : rel.startsWith("build/seqlab-kernel-worker") ? "kernel worker with seqlab (build/seqlab-kernel-worker.js)"
        : rel.startsWith("build/") ? "JupyterLab + JupyterLite (build/)"
        : rel.startsWith("extensions/") ? "seqlab's extension (extensions/)"
        : rel.startsWith("files/") || rel.startsWith("api/") ? "notebooks and data (files/, api/)"
        : "pages and config";
      sizes.set(group, (sizes.get(group) ?? 0) + st.size);
      total += st.size;
      gzipped += gzipSync(readFileSync(p), { level: 6 }).length;
    }
  }
};
visit(out);
const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
console.log(`site on disk: ${mb(total)} (${mb(gzipped)} gzipped, as most static hosts send it)`);
for (const [group, bytes] of [...sizes].sort((a, b) => b[1] - a[1])) console.log(`  ${mb(bytes).padStart(9)}  ${group}`);

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update"],
});
const runs = [];
for (let round = 0; round < 3; round++) {
  const server = await serveSite(out, { isolated: true });
  const context = await browser.newContext();
  const page = await context.newPage();
  const started = Date.now();
  await page.goto(`${server.url}/lab/index.html?path=05-lstm.ipynb`);
  await page.waitForFunction(
    () => [...document.querySelectorAll(".jp-StatusBar-TextItem")].some((e) => /\| Idle$/.test((e.textContent ?? "").trim())),
    undefined,
    { timeout: 180_000, polling: 50 },
  );
  const gz = [...server.stats.files].reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 6 }).length, 0);
  runs.push({ seconds: (Date.now() - started) / 1000, bytes: server.stats.bytes, gzipped: gz, requests: server.stats.requests });
  await context.close();
  await server.close();
}
await browser.close();
runs.sort((a, b) => a.seconds - b.seconds);
const median = runs[1];
console.log(`first open of 05-lstm.ipynb (cold cache, empty storage, loopback), median of 3:`);
console.log(`  downloaded ${mb(median.bytes)} in ${median.requests} requests (${mb(median.gzipped)} when the host gzips)`);
console.log(`  cold load to an idle kernel: ${median.seconds.toFixed(1)} s (runs: ${runs.map((r) => r.seconds.toFixed(1)).join(", ")} s)`);
