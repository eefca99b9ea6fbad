// What `npm start` installs (npm ci --omit=dev): everything a student needs to run the course,
// and none of what only the tests, the bench and the JupyterLite site build need.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");
const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
/** The packages npm installs with --omit=dev: those the lock file does not mark dev. */
const studentPackages = Object.entries(lock.packages)
  .filter(([path, p]) => path.startsWith("node_modules/") && !p.dev)
  .map(([path]) => path.slice(path.lastIndexOf("node_modules/") + "node_modules/".length));

it("a student's install leaves out the test runner, the browser driver, TF.js, the WebAssembly compiler and JupyterLite", () => {
  const devOnly = ["vitest", "playwright-core", "fast-check", "@tensorflow/tfjs-core", "@tensorflow/tfjs-layers", "@tensorflow/tfjs-backend-wasm", "assemblyscript", "binaryen", "@jupyterlite/server"];
  for (const name of devOnly) {
    expect(lock.packages[`node_modules/${name}`], `${name} is in the lock file`).toBeDefined();
    expect(studentPackages, `${name} would be installed by npm start`).not.toContain(name);
  }
});

it("a student's install keeps what npm start runs: the kernel, the compilers of the library and extension, the JupyterLab front end", () => {
  for (const name of ["tslab", "typescript", "@jupyterlab/builder", "webpack", "plotly.js-cartesian-dist-min", "@jupyterlab/application", "@jupyterlab/notebook-extension"]) {
    expect(studentPackages, `${name} is missing from npm start's install`).toContain(name);
  }
});
