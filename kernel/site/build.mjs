// `npm run site`: set-up (as `npm start` does, idempotent), then a static JupyterLite site of a
// folder of notebooks, served on 127.0.0.1.
//
//   npm run site                                         notebooks/ → site/, then serve it
//   npm run site -- --notebooks DIR --out DIR --no-serve   any folder of notebooks, ready to copy to a static host
//   npm run site -- --port 8000                          (also SEQLAB_SITE_PORT)
//
// What JupyterLite's Python CLI (jupyterlite-core, not reachable here) would write, this does:
// the front end (kernel/site/build, stamped: built once per change of its inputs), the contents
// listing api/contents/**/all.json and the files under files/, jupyter-lite.json with the
// federated extensions copied into extensions/, the settings schemas gathered into
// build/schemas/all.json and all_federated.json, and the kernel's assets (TypeScript's compiler,
// the declaration files cells are checked against).
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ROOT, JUPYTER_PATH, setup, step } from "../setup.mjs";
import { serveSite } from "./serve.mjs";

const SITE = join(ROOT, "kernel", "site");
const BUILD = join(SITE, "build");
const EXTENSIONS = [join(JUPYTER_PATH, "labextensions", "@seqlab", "jupyterlab")];
/** TypeScript's lib files a cell is checked against: ES2022 and the browser's. */
const LIBS = ["lib.es2022.d.ts", "lib.dom.d.ts", "lib.dom.iterable.d.ts"];

const log = (msg) => console.log(`[seqlab] ${msg}`);

function parseArgs(argv) {
  const opts = { notebooks: join(ROOT, "notebooks"), out: join(ROOT, "site"), serve: true, port: Number(process.env.SEQLAB_SITE_PORT ?? 8000), isolated: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--notebooks") opts.notebooks = resolve(value());
    else if (a === "--out") opts.out = resolve(value());
    else if (a === "--no-serve") opts.serve = false;
    else if (a === "--port") opts.port = Number(value());
    else if (a === "--no-isolation") opts.isolated = false;
    else throw new Error(`unknown argument ${JSON.stringify(a)}; expected --notebooks DIR, --out DIR, --no-serve, --port N, --no-isolation`);
  }
  if (!existsSync(opts.notebooks) || !statSync(opts.notebooks).isDirectory()) throw new Error(`--notebooks: ${opts.notebooks} is not a folder`);
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw new Error(`--port: expected a port number, got ${opts.port}`);
  const out = resolve(opts.out);
  if (out === ROOT || out === resolve(opts.notebooks) || resolve(opts.notebooks).startsWith(out + "/") || out === "/") {
    throw new Error(`--out ${out} would overwrite the notebooks or the project: choose an empty or new folder`);
  }
  return opts;
}

/**
 * The front end and the kernel's worker, built with webpack, each re-built only when one of its
 * inputs changed: the worker bundles the seqlab library, so a change there rebuilds the worker
 * (seconds), not the front end (minutes).
 */
export function buildFrontEnd() {
  setup({ dev: true });
  const webpack = (part) => () => {
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", join(SITE, "tsconfig.json")], { cwd: ROOT, stdio: "inherit" });
    if (tsc.status !== 0) throw new Error(`compiling kernel/site/src failed (exit ${tsc.status})`);
    const r = spawnSync(process.execPath, [join(ROOT, "node_modules", "webpack", "bin", "webpack.js"), "--config", join(SITE, "webpack.config.cjs")], {
      cwd: SITE,
      stdio: "inherit",
      env: { ...process.env, SEQLAB_SITE_PART: part },
    });
    if (r.status !== 0) throw new Error(`building the site's ${part} failed (exit ${r.status})`);
  };
  const common = ["kernel/site/webpack.config.cjs", "kernel/lab/front-end.webpack.cjs", "kernel/site/tsconfig.json", "package-lock.json"];
  // The front end holds the page side of the kernel only (kernel.ts and its message types).
  const page = ["main.js", "kernel.ts", "protocol.ts"].map((f) => `kernel/site/src/${f}`);
  step("build JupyterLite site front end", [...common, ...page, "kernel/site/package.json", "kernel/lab/src/page-config.js", "kernel/lab/src/bootstrap.js", "kernel/lab/src/gather-plugins.js"], ["kernel/site/build/main.js"], () => {
    // Chunk names carry content hashes: start empty, or old chunks would pile up in every site.
    rmSync(BUILD, { recursive: true, force: true });
    mkdirSync(BUILD, { recursive: true });
    webpack("app")();
  });
  step("build JupyterLite kernel worker", [...common, "kernel/site/src", "kernel/cell-lines.mjs", "src", "package.json"], ["kernel/site/build/seqlab-kernel-worker.js"], webpack("worker"));
}

const MIME = { ".json": "application/json", ".txt": "text/plain", ".md": "text/markdown", ".csv": "text/csv", ".ts": "text/typescript", ".py": "text/x-python", ".png": "image/png", ".svg": "image/svg+xml", ".html": "text/html" };

/** Files of the notebooks folder that belong on the site (no checkpoints, no dot files). */
function walk(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (name.startsWith(".") || name === "node_modules" || name === "__pycache__") continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push({ path: relative(base, p), dir: true }, ...walk(p, base));
    else out.push({ path: relative(base, p), dir: false });
  }
  return out;
}

/** A Contents API model without content, as jupyter-server lists a folder. */
function model(root, path, isDir) {
  const st = statSync(join(root, path));
  const name = path.split("/").pop();
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".")) : "";
  const type = isDir ? "directory" : ext === ".ipynb" ? "notebook" : "file";
  return {
    name,
    path,
    last_modified: st.mtime.toISOString(),
    created: st.mtime.toISOString(),
    format: null,
    mimetype: type === "file" ? (MIME[ext] ?? "application/octet-stream") : null,
    size: isDir ? null : st.size,
    writable: true,
    type,
    content: null,
  };
}

/** The contents listings (api/contents/<dir>/all.json) and the files (files/<path>). */
function writeContents(notebooks, out) {
  const entries = walk(notebooks);
  cpSync(notebooks, join(out, "files"), { recursive: true, filter: (src) => !relative(notebooks, src).split("/").some((part) => part.startsWith(".")) });
  const dirs = ["", ...entries.filter((e) => e.dir).map((e) => e.path)];
  for (const dir of dirs) {
    const children = entries.filter((e) => (dirname(e.path) === "." ? "" : dirname(e.path)) === dir);
    const listing = { ...model(notebooks, dir || ".", true), name: dir.split("/").pop() ?? "", path: dir, format: "json", content: children.map((e) => model(notebooks, e.path, e.dir)) };
    const target = join(out, "api", "contents", dir, "all.json");
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, JSON.stringify(listing));
  }
  return entries.filter((e) => e.path.endsWith(".ipynb")).length;
}

/** Every settings schema under `schemasDir/<package>/<plugin>.json` as Settings' all.json entries. */
function schemaEntries(schemasDir, versions) {
  const all = [];
  if (!existsSync(schemasDir)) return all;
  const visit = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name.endsWith(".json") && name !== "package.json" && name !== "all.json" && name !== "all_federated.json") {
        const pkg = relative(schemasDir, dir);
        all.push({ id: `${pkg}:${name.slice(0, -5)}`, raw: "{}", schema: JSON.parse(readFileSync(p, "utf8")), settings: {}, version: versions(pkg, dir) });
      }
    }
  };
  visit(schemasDir);
  return all;
}

const pkgVersion = (_pkg, dir) => {
  const orig = join(dir, "package.json.orig");
  return existsSync(orig) ? JSON.parse(readFileSync(orig, "utf8")).version : "0.0.0";
};

/** TypeScript's lib files from `roots`, with every lib they reference. */
function libClosure(roots) {
  const dir = join(ROOT, "node_modules", "typescript", "lib");
  const files = {};
  const visit = (name) => {
    if (files[name] !== undefined) return;
    const text = readFileSync(join(dir, name), "utf8");
    files[name] = text;
    for (const m of text.matchAll(/\/\/\/\s*<reference lib="([^"]+)"\s*\/>/g)) visit(`lib.${m[1].toLowerCase()}.d.ts`);
  };
  for (const r of roots) visit(r);
  return files;
}

/** ONNX Runtime's WebAssembly binary (the one its WebAssembly build loads), copied among the assets. */
const ORT_WASM = join(ROOT, "node_modules", "onnxruntime-web", "dist", "ort-wasm-simd-threaded.wasm");

/** Every .d.ts file under `dir`, keyed as `/node_modules/<pkg>/<path>` for the cell compiler. */
function declarations(dir, prefix, files) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) declarations(p, `${prefix}/${name}`, files);
    else if (name.endsWith(".d.ts")) files[`${prefix}/${name}`] = readFileSync(p, "utf8");
  }
}

/** A package's package.json as the compiler needs it: name, type, types and exports only. */
function packageJson(pkgDir) {
  const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
  return JSON.stringify({ name: pkg.name, version: pkg.version, type: pkg.type, types: pkg.types, exports: pkg.exports });
}

/** What the kernel's worker checks cells against: libs, seqlab's and onnxruntime-web's .d.ts files, the ambient modules. */
export function typesJson() {
  const files = {};
  const dist = join(ROOT, "dist");
  const visit = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name.endsWith(".d.ts")) files[`/node_modules/seqlab/dist/${relative(dist, p)}`] = readFileSync(p, "utf8");
    }
  };
  visit(dist);
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  files["/node_modules/seqlab/package.json"] = JSON.stringify({ name: "seqlab", version: pkg.version, type: "module", types: "dist/index.d.ts", exports: pkg.exports });
  // onnxruntime-web: its types.d.ts re-exports onnxruntime-common's declarations.
  const nm = join(ROOT, "node_modules");
  files["/node_modules/onnxruntime-web/package.json"] = packageJson(join(nm, "onnxruntime-web"));
  files["/node_modules/onnxruntime-web/types.d.ts"] = readFileSync(join(nm, "onnxruntime-web", "types.d.ts"), "utf8");
  files["/node_modules/onnxruntime-common/package.json"] = packageJson(join(nm, "onnxruntime-common"));
  declarations(join(nm, "onnxruntime-common", "dist", "esm"), "/node_modules/onnxruntime-common/dist/esm", files);
  files["/ambient/kernel.d.ts"] = readFileSync(join(SITE, "src", "ambient.d.txt"), "utf8");
  return { libFiles: libClosure(LIBS), libs: LIBS, files };
}

const INDEX = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>seqlab</title>
    <script>location.replace("./lab/index.html" + location.search + location.hash);</script>
  </head>
  <body><a href="./lab/index.html">seqlab in JupyterLite</a></body>
</html>
`;

const LAB_INDEX = `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>seqlab</title>
    <link rel="icon" href="data:," />
    <script id="jupyter-config-data" type="application/json" data-jupyter-lite-root="..">{}</script>
    <script src="../lite-config.js"></script>
  </head>
  <body></body>
</html>
`;

// The page's loader: reads jupyter-lite.json at the site root, resolves its "./" URLs against
// the root (so the same folder works under any path, e.g. https://user.github.io/course/),
// writes the page config and loads the bundle. Synchronous, so it runs before anything else.
const LITE_CONFIG = `// Written by kernel/site/build.mjs. The page config for the app, from ../jupyter-lite.json.
(function () {
  var script = document.getElementById("jupyter-config-data");
  var root = new URL(script.dataset.jupyterLiteRoot + "/", location.href);
  var xhr = new XMLHttpRequest();
  xhr.open("GET", new URL("jupyter-lite.json", root).href, false);
  xhr.send();
  var config = JSON.parse(xhr.responseText)["jupyter-config-data"];
  var keep = ["themesUrl", "licensesUrl"]; // joined with baseUrl by JupyterLab itself
  Object.keys(config).forEach(function (key) {
    var v = config[key];
    if (typeof v === "string" && /Url$/.test(key) && keep.indexOf(key) < 0 && v.indexOf("./") === 0) {
      config[key] = new URL(v.slice(2), root).pathname.replace(/\\/$/, key === "baseUrl" ? "/" : "");
    }
  });
  config.baseUrl = root.pathname;
  script.textContent = JSON.stringify(config);
  document.write('<script src="' + config.fullStaticUrl + '/main.js"><\\/script>');
})();
`;

/** Assembles the site from the built front end; returns what it wrote. */
export function assembleSite({ notebooks, out }) {
  if (!existsSync(join(BUILD, "main.js"))) throw new Error("the site's front end is not built: run buildFrontEnd() first");
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  cpSync(BUILD, join(out, "build"), { recursive: true, filter: (src) => !/[\\/](plugins|style)\.js$/.test(src) && !src.endsWith("service-worker.js") });
  // JupyterLite's service worker must sit at the root to control the whole site.
  cpSync(join(BUILD, "service-worker.js"), join(out, "service-worker.js"));
  cpSync(join(ROOT, "node_modules", "typescript", "lib", "typescript.js"), join(out, "build", "typescript.js"));
  writeFileSync(join(out, "build", "types.json"), JSON.stringify(typesJson()));
  cpSync(ORT_WASM, join(out, "build", "ort-wasm-simd-threaded.wasm"));

  // Prebuilt extensions, as JupyterLab finds them in labextensions/.
  const federated = [];
  const federatedSchemas = [];
  for (const src of EXTENSIONS) {
    const pkg = JSON.parse(readFileSync(join(src, "package.json"), "utf8"));
    cpSync(src, join(out, "extensions", pkg.name), { recursive: true });
    const b = pkg.jupyterlab._build;
    federated.push({ name: pkg.name, load: b.load, ...(b.extension ? { extension: b.extension } : {}), ...(b.mimeExtension ? { mimeExtension: b.mimeExtension } : {}), ...(b.style ? { style: b.style } : {}) });
    federatedSchemas.push(...schemaEntries(join(src, "schemas"), () => pkg.version));
  }
  writeFileSync(join(out, "build", "schemas", "all.json"), JSON.stringify(schemaEntries(join(BUILD, "schemas"), pkgVersion)));
  writeFileSync(join(out, "build", "schemas", "all_federated.json"), JSON.stringify(federatedSchemas));

  const overrides = JSON.parse(readFileSync(join(ROOT, "kernel", "lab", "settings", "overrides.json"), "utf8"));
  const config = {
    "jupyter-lite-schema-version": 0,
    "jupyter-config-data": {
      appName: "seqlab",
      appVersion: "0.8.3",
      appUrl: "./lab",
      baseUrl: "./",
      defaultKernelName: "tslab",
      fullLabextensionsUrl: "./extensions",
      fullStaticUrl: "./build",
      settingsUrl: "./build/schemas",
      themesUrl: "./build/themes",
      licensesUrl: "./lab/api/licenses",
      contentsAllJsonFile: "all.json",
      mode: "multiple-document",
      federated_extensions: federated,
      settingsOverrides: overrides,
      // The build leaves these plugins out already; listed here too, as JupyterLite's CLI does.
      disabledExtensions: JSON.parse(readFileSync(join(SITE, "package.json"), "utf8")).jupyterlab.disabledExtensions,
    },
  };
  writeFileSync(join(out, "jupyter-lite.json"), JSON.stringify(config, null, 2) + "\n");
  writeFileSync(join(out, "index.html"), INDEX);
  mkdirSync(join(out, "lab"), { recursive: true });
  writeFileSync(join(out, "lab", "index.html"), LAB_INDEX);
  writeFileSync(join(out, "lite-config.js"), LITE_CONFIG);
  mkdirSync(join(out, "api", "translations"), { recursive: true });
  writeFileSync(join(out, "api", "translations", "all.json"), JSON.stringify({ data: { en: { displayName: "English", nativeName: "English" } }, message: "" }));
  writeFileSync(join(out, "api", "translations", "en.json"), JSON.stringify({ data: {}, message: "" }));
  // JupyterLab asks the server to resolve file paths it finds in outputs (to link them); a
  // static site cannot, and this answer (nothing resolved) spares the console a 404 each time.
  writeFileSync(join(out, "api", "resolvePath"), JSON.stringify({ resolved: [], unresolved: [] }));
  // GitHub Pages runs Jekyll unless told not to, and Jekyll drops folders starting with "_".
  writeFileSync(join(out, ".nojekyll"), "");
  // Hosts that read a _headers file (Netlify, Cloudflare Pages) make the site cross-origin
  // isolated with it, so seqlab's kernels use 2 threads there; elsewhere it is ignored.
  writeFileSync(join(out, "_headers"), "/*\n  Cross-Origin-Opener-Policy: same-origin\n  Cross-Origin-Embedder-Policy: require-corp\n");
  const count = writeContents(notebooks, out);
  return { out, notebooks: count };
}

export function siteSize(dir) {
  let bytes = 0;
  let files = 0;
  const visit = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) visit(p);
      else {
        bytes += st.size;
        files += 1;
      }
    }
  };
  visit(dir);
  return { bytes, files };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
    buildFrontEnd();
    const { out, notebooks } = assembleSite(opts);
    const { bytes, files } = siteSize(out);
    log(`site: ${notebooks} notebooks from ${relative(process.cwd(), opts.notebooks) || "."} in ${out} (${files} files, ${(bytes / 1e6).toFixed(1)} MB)`);
  } catch (e) {
    console.error(`[seqlab] npm run site: ${e.message}`);
    process.exit(1);
  }
  if (opts.serve) {
    const server = await serveSite(opts.out, { port: opts.port, isolated: opts.isolated });
    log(`serving ${opts.out} ${opts.isolated ? "cross-origin isolated (2 threads)" : "without cross-origin isolation (1 thread)"}; open:\n\n    ${server.url}/lab/index.html\n\nCtrl-C stops it.`);
    process.on("SIGINT", () => void server.close().then(() => process.exit(0)));
  } else {
    log("ready to copy to a static host (see the README, \"In the browser, for a class\")");
  }
}
