// Set-up shared by `npm start` and `npm test`: does each step that is missing or out of date,
// and nothing else, so a second run takes seconds. Everything lands inside the project:
// node_modules/, dist/, extension/lib, kernel/lab/build and kernel/env/ (a private JUPYTER_PATH).
//
//   node kernel/setup.mjs            set-up for npm start (no devDependencies)
//   node kernel/setup.mjs --dev      also the developers' npm packages (bench, site, compiler)
//   node kernel/setup.mjs --test     those, and what the tests need (Debian's chromium)
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const ENV = join(ROOT, "kernel", "env");
export const JUPYTER_PATH = join(ENV, "share", "jupyter");
const STAMPS = join(ENV, "stamps");

// Debian packages: the Jupyter server side, and what the tests add.
const APT_RUN = ["python3-jupyter-server", "python3-jupyterlab-server", "jupyter-nbconvert", "python3-nbclient"];
// python3-onnx: its checker (/usr/bin/python3 -c "import onnx") validates the files exportOnnx writes.
const APT_TEST = ["chromium", "python3-onnx"];

const log = (msg) => console.log(`[seqlab] ${msg}`);

/** The environment every Jupyter process of ours runs with: nothing global is read or written. */
export function jupyterEnv(extra = {}) {
  return {
    ...process.env,
    JUPYTER_PATH,
    JUPYTER_DATA_DIR: join(ENV, "data"),
    JUPYTER_CONFIG_DIR: join(ENV, "config"),
    JUPYTER_RUNTIME_DIR: join(ENV, "runtime"),
    JUPYTER_PLATFORM_DIRS: "1",
    ...extra,
  };
}

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, stdio: "inherit", ...opts });
  if (r.status !== 0) {
    throw new Error(`\`${cmd} ${args.join(" ")}\` failed (exit ${r.status ?? r.signal})`);
  }
}

function succeeds(cmd, args) {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

/** The Python that has jupyter_server (Debian's /usr/bin/python3; PATH may have another). */
export function findPython() {
  for (const py of ["/usr/bin/python3", "python3"]) {
    if (succeeds(py, ["-c", "import jupyter_server, jupyterlab_server, nbclient, nbconvert"])) return py;
  }
  return null;
}

/** A user's own JupyterLab ≥ 4 (e.g. from pip), if there is one on PATH. */
export function findSystemJupyterLab() {
  const r = spawnSync("jupyter", ["lab", "--version"], { encoding: "utf8" });
  if (r.status !== 0) return null;
  const major = Number.parseInt(r.stdout.trim().split(".")[0], 10);
  return major >= 4 ? r.stdout.trim() : null;
}

function dpkgInstalled(pkg) {
  const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
  return r.status === 0 && r.stdout.includes("install ok installed");
}

function ensureSystemPackages(wanted) {
  const hasApt = succeeds("sh", ["-c", "command -v apt-get"]);
  if (!hasApt) {
    if (wanted.includes("chromium") && !existsSync("/usr/bin/chromium")) {
      throw new Error("seqlab's browser tests need Chromium at /usr/bin/chromium; install it with your system's package manager.");
    }
    if (!findPython() && !findSystemJupyterLab()) {
      console.error("seqlab needs JupyterLab 4. Install it with:\n\n    pip install jupyterlab nbclient nbconvert\n\nthen run `npm start` again.");
      process.exit(1);
    }
    return;
  }
  const missing = wanted.filter((p) => !dpkgInstalled(p));
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  if (!isRoot) {
    console.error(`seqlab needs Debian packages that are not installed. Run this once, then \`npm start\` again:\n\n    sudo apt-get install -y ${missing.join(" ")}\n`);
    process.exit(1);
  }
  log(`installing Debian packages: ${missing.join(" ")}`);
  run("apt-get", ["update", "-qq"]);
  run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  });
}

// ---------------------------------------------------------------------------------------------
// Content stamps: a step re-runs only when the files it depends on changed.

function hashInputs(paths) {
  const h = createHash("sha256");
  const visit = (p) => {
    if (!existsSync(p)) return;
    const st = statSync(p);
    if (st.isDirectory()) {
      for (const name of readdirSync(p).sort()) {
        // *.generated.* files are a step's own output, not its input.
        if (name === "node_modules" || name === "lib" || name === "build" || name.startsWith(".") || name.includes(".generated.")) continue;
        visit(join(p, name));
      }
    } else {
      h.update(relative(ROOT, p));
      h.update(readFileSync(p));
    }
  };
  for (const p of paths) visit(join(ROOT, p));
  return h.digest("hex");
}

export function step(name, inputs, outputs, action) {
  const stamp = join(STAMPS, `${name}.sha256`);
  const digest = hashInputs(inputs);
  const fresh = existsSync(stamp) && readFileSync(stamp, "utf8") === digest && outputs.every((o) => existsSync(join(ROOT, o)));
  if (fresh) return false;
  const started = Date.now();
  log(`${name}…`);
  action();
  mkdirSync(STAMPS, { recursive: true });
  writeFileSync(stamp, digest);
  log(`${name} done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return true;
}

// Notebooks import the library by its package name, as a user's own notebook would; the
// root package is linked into node_modules so that `import ... from "seqlab"` resolves to it.
function linkSelf() {
  const link = join(ROOT, "node_modules", "seqlab");
  try {
    if (lstatSync(link).isSymbolicLink() && readlinkSync(link) === "..") return;
    rmSync(link, { recursive: true, force: true });
  } catch {
    // absent: create it below
  }
  symlinkSync("..", link, "dir");
}

// The kernel spec (kernel/tslab/kernel.json) is installed into our private JUPYTER_PATH with the
// absolute path of this project's tslab: what `tslab install --prefix` does, without needing
// IPython in Debian's Python.
function registerKernel() {
  const tslab = join(ROOT, "node_modules", "tslab", "bin", "tslab");
  const preload = pathToFileURL(join(ROOT, "kernel", "tslab", "preload.mjs")).href;
  const json = (s) => JSON.stringify(s).slice(1, -1);
  const spec = readFileSync(join(ROOT, "kernel", "tslab", "kernel.json"), "utf8")
    .replaceAll("@NODE@", json(process.execPath)).replaceAll("@PRELOAD@", json(preload)).replaceAll("@TSLAB@", json(tslab));
  const target = join(JUPYTER_PATH, "kernels", "tslab", "kernel.json");
  if (existsSync(target) && readFileSync(target, "utf8") === spec) return;
  log("registering the tslab kernel under kernel/env");
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, spec);
}

function coreMeta() {
  // build-labextension wants a folder whose package.json is JupyterLab's core package.json.
  const dir = join(ROOT, "kernel", "lab", "core-meta");
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, "node_modules", "@jupyterlab", "core-meta", "core.package.json"), join(dir, "package.json"));
}

/**
 * `dev` (implied by `test`) installs the developers' tools too: the test runner, playwright-core,
 * the AssemblyScript compiler, TF.js for the bench, the JupyterLite site's packages. Without it
 * (`npm start`) npm leaves out every devDependency, and the library uses the committed
 * WebAssembly kernels.
 */
export function setup({ test = false, dev = test } = {}) {
  const started = Date.now();
  ensureSystemPackages(test ? [...APT_RUN, ...APT_TEST] : APT_RUN);
  const python = findPython();

  const hidden = join(ROOT, "node_modules", ".package-lock.json");
  // A package only the developers' install has: its presence tells the two installs apart.
  const devMarker = join("node_modules", "vitest", "package.json");
  const installed = (full) => existsSync(hidden) && statSync(hidden).mtimeMs >= statSync(join(ROOT, "package-lock.json")).mtimeMs && (!full || existsSync(join(ROOT, devMarker)));
  step(dev ? "npm ci" : "npm ci (student)", ["package-lock.json"], dev ? ["node_modules/.package-lock.json", devMarker] : ["node_modules/.package-lock.json"], () => {
    // npm records a finished install in node_modules/.package-lock.json; when that is newer than
    // the lock file (say after a developer's `npm install`), node_modules is already current. A
    // developers' install is kept by `npm start`: it holds everything a student's does.
    if (installed(dev)) return;
    run("npm", ["ci", "--no-audit", "--no-fund", ...(dev ? [] : ["--omit=dev"])]);
  });
  linkSelf();
  step("build library", ["src", "tsconfig.json", "package.json", "src/kernels/wasm/build-wasm.mjs"], ["dist/index.js", "src/kernels/wasm/kernels.generated.ts"], () => {
    rmSync(join(ROOT, "dist"), { recursive: true, force: true });
    // The WebAssembly kernels first: the library embeds their bytes.
    run(process.execPath, [join(ROOT, "src", "kernels", "wasm", "build-wasm.mjs")]);
    // node_modules/.bin/tsc is tslab's bundled TypeScript 5.0; build with the project's own.
    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"]);
  });
  step("build extension", ["extension/src", "extension/style", "extension/package.json", "extension/tsconfig.json", "src", "package-lock.json"], [relative(ROOT, join(JUPYTER_PATH, "labextensions", "@seqlab", "jupyterlab", "package.json"))], () => {
    coreMeta();
    run("npm", ["run", "build", "--workspace", "extension"]);
  });
  registerKernel();
  if (python) {
    step("build JupyterLab front end", ["kernel/lab/src", "kernel/lab/webpack.config.cjs", "kernel/lab/front-end.webpack.cjs", "kernel/lab/package.json", "package-lock.json"], ["kernel/lab/build/main.js"], () => {
      run("npm", ["run", "build", "--workspace", "kernel/lab"]);
    });
  }
  log(`set-up complete in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { python };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    setup({ test: process.argv.includes("--test"), dev: process.argv.includes("--dev") || process.argv.includes("--test") });
  } catch (e) {
    console.error(`[seqlab] set-up failed: ${e.message}`);
    process.exit(1);
  }
}
