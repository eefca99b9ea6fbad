// Loaded into the tslab kernel before tslab itself (kernel.json: node --import this tslab kernel),
// so that a runtime error in a cell reads like the browser kernel's: the message first, then the
// lines of the student's own cells it passed through, and no frames from inside tslab, Node or
// seqlab. tslab 1.0.22 runs a cell's JavaScript with no source map, so its tracebacks name
// "evalmachine.<anonymous>:7:18" (a line of the compiled code, not of the cell) and a dozen of its
// own frames. Here its two compile steps also write source maps, each cell runs under a file
// name of its own, and Error.prepareStackTrace maps that file's frames back to the cell's lines.
//
// Every patch checks that tslab still has the shape it was written for; if not, it leaves
// tslab alone, and the kernel works as before with tslab's own tracebacks.
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { cellFrame, decodeLines } from "../cell-lines.mjs";

const requireFromTslab = createRequire(createRequire(import.meta.url).resolve("tslab/package.json"));
const tsPath = requireFromTslab.resolve("@tslab/typescript-for-tslab");
const ts = requireFromTslab(tsPath);
/** TypeScript's exports are fixed getters: tslab gets this stand-in, which answers with ours first. */
const overrides = {};

/** The source map of the newest emit of the cell file (.ts → ES module JavaScript), and of its conversion to CommonJS. */
const latest = { emitted: "", converted: "" };
/** Per cell run: how its JavaScript lines map to its lines, and its text. */
const cells = new Map();
let runs = 0;

// tslab prepends this line to every cell so that TypeScript treats it as a module.
const CELL_PREFIX_LINES = 1;

function patchCompiler() {
  const createHost = ts.createWatchCompilerHost;
  overrides.createWatchCompilerHost = function (rootFiles, options, ...rest) {
    const host = createHost.call(ts, rootFiles, { ...options, sourceMap: true, inlineSources: true }, ...rest);
    let afterProgramCreate = host.afterProgramCreate;
    Object.defineProperty(host, "afterProgramCreate", {
      configurable: true,
      get: () => afterProgramCreate,
      set: (fn) => {
        afterProgramCreate = (builder) => {
          const emit = builder.emit;
          builder.emit = (file, writeFile, ...more) =>
            emit.call(builder, file, (name, data, ...args) => {
              if (name.endsWith("__tslab__.js.map")) latest.emitted = data;
              return writeFile(name, data, ...args);
            }, ...more);
          return fn(builder);
        };
      },
    });
    return host;
  };
  const transpile = ts.transpileModule;
  overrides.transpileModule = function (input, options) {
    // tslab's last step, ES module → CommonJS, names its input custom.js.
    if (options?.fileName !== "custom.js") return transpile.call(ts, input, options);
    const out = transpile.call(ts, input, { ...options, compilerOptions: { ...options.compilerOptions, sourceMap: true } });
    latest.converted = out.sourceMapText ?? "";
    return out;
  };
  const cached = requireFromTslab.cache[tsPath];
  cached.exports = new Proxy(ts, { get: (target, key) => (Object.hasOwn(overrides, key) ? overrides[key] : target[key]) });
}

function patchRun() {
  const run = vm.runInThisContext;
  vm.runInThisContext = function (code, options) {
    if (typeof code !== "string" || !/^\(?(async )?function\(exports, require\) \{ /.test(code) || !latest.converted) return run.call(this, code, options);
    runs += 1;
    const file = `seqlab-cell-${runs}.js`;
    const emitted = latest.emitted ? JSON.parse(latest.emitted) : null;
    const source = typeof emitted?.sourcesContent?.[0] === "string" ? emitted.sourcesContent[0] : "";
    cells.set(file, { toEmitted: decodeLines(latest.converted), toSource: decodeLines(latest.emitted), lines: source.split("\n"), run: runs });
    latest.converted = "";
    // displayErrors: false, or Node prints the compiled line with a caret above the message.
    const own = typeof options === "object" && options !== null ? options : {};
    return run.call(this, code, { ...own, filename: file, displayErrors: false });
  };
}

/** The cell line a frame at `line` (1-based) of a cell's JavaScript came from, with its text. */
function cellLine(cell, line) {
  const emittedLine = cell.toEmitted[line - 1];
  const sourceLine = emittedLine ? cell.toSource[emittedLine - 1] : null;
  if (!sourceLine || sourceLine <= CELL_PREFIX_LINES) return null;
  return { line: sourceLine - CELL_PREFIX_LINES, text: cell.lines[sourceLine - 1] ?? "" };
}

// The project's own code (seqlab's dist/, this file) as paths and as file URLs, and tslab's and Node's.
const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const OWN = [`${ROOT}dist/`, `${ROOT}src/`, `${ROOT}kernel/`, `${ROOT}node_modules/`];
const INTERNAL = [...OWN, ...OWN.map((p) => new URL(`file://${p}`).href), "node:", "/node_modules/", "evalmachine.<anonymous>"];

function patchStacks() {
  Error.prepareStackTrace = (error, frames) => {
    let header;
    try {
      header = String(error);
    } catch {
      header = "Error";
    }
    const newest = runs;
    const lines = [header];
    for (const frame of frames) {
      const file = frame.getFileName() ?? "";
      const cell = cells.get(file);
      if (cell) {
        const at = cellLine(cell, frame.getLineNumber() ?? 0);
        if (at) lines.push(cellFrame(at.line, at.text, cell.run === newest ? "the cell" : "an earlier cell"));
      } else if (file && !INTERNAL.some((p) => file.startsWith(p) || (p.startsWith("/node_modules/") && file.includes(p)))) {
        lines.push(`    at ${frame}`);
      }
    }
    return lines.join("\n");
  };
}

const shaped = typeof ts?.createWatchCompilerHost === "function" && typeof ts?.transpileModule === "function" && requireFromTslab.cache[tsPath] !== undefined;
if (shaped) {
  patchCompiler();
  patchRun();
  patchStacks();
} else {
  console.error("[seqlab] this tslab is not the one kernel/tslab/preload.mjs knows: tracebacks keep tslab's own form");
}
