// `npm test`: set-up (as `npm start` does, plus Debian's chromium), then the whole suite:
// unit tests, every notebook through the real tslab kernel, and the browser tests. Ends with
// the standard closing line `N passed, N failed`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT, setup } from "../kernel/setup.mjs";

const started = Date.now();
try {
  setup({ test: true });
} catch (e) {
  console.error(`[seqlab] set-up failed: ${e.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const results = join(ROOT, "test-results");
mkdirSync(results, { recursive: true });
const report = join(results, "vitest.json");
const extra = process.argv.slice(2);
const r = spawnSync(
  join(ROOT, "node_modules", ".bin", "vitest"),
  ["run", "--config", "test/vitest.config.ts", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...extra],
  { cwd: ROOT, stdio: "inherit", env: { ...process.env, FORCE_COLOR: process.env.CI ? "0" : (process.env.FORCE_COLOR ?? "1") } },
);

let passed = 0;
let failed = 0;
if (existsSync(report)) {
  const json = JSON.parse(readFileSync(report, "utf8"));
  passed = json.numPassedTests ?? 0;
  failed = (json.numFailedTests ?? 0) + (json.numFailedTestSuites ?? 0);
  const skipped = (json.numPendingTests ?? 0) + (json.numTodoTests ?? 0);
  if (skipped) {
    console.error(`[seqlab] ${skipped} tests were skipped: the suite does not allow skipping`);
    failed += skipped;
  }
}
if (r.status !== 0 && failed === 0) failed = 1;
console.log(`\n[seqlab] npm test took ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && r.status === 0 ? 0 : 1);
