/**
 * The Web Worker of seqlab's browser kernel: the TypeScript compiler (loaded with importScripts
 * from the site's own files), the seqlab library (bundled in, its WebAssembly kernels inside),
 * ONNX Runtime (onnxruntime-web's WebAssembly build, bundled in; its .wasm file is one of the
 * site's assets, fetched when a cell first creates an InferenceSession), and one Session. It talks to the page only by messages (protocol.ts); the page ends a running
 * cell by terminating this worker.
 */
import * as ort from "onnxruntime-web/wasm";
import * as seqlab from "seqlab";
import * as seqlabOnnx from "seqlab/onnx";
import { CellCompiler, type TypeScript } from "./compiler.js";
import { formatArgs, inspect } from "./inspect.js";
import { IMPORTABLE, type DisplayContent, type FromWorker, type MimeBundle, type ToWorker } from "./protocol.js";
import { Session } from "./session.js";

interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  importScripts(...urls: string[]): void;
  crossOriginIsolated?: boolean;
  ts?: TypeScript;
}
const self_ = globalThis as unknown as WorkerScope;
const post = (m: FromWorker): void => self_.postMessage(m);

/** What build-site.mjs writes as types.json: TypeScript's lib files and the declaration files cells check against. */
interface Types {
  libFiles: Record<string, string>;
  libs: string[];
  files: Record<string, string>;
}

// console.log/info/debug → stdout, warn/error → stderr, formatted as Node formats them.
const out = (name: "stdout" | "stderr") => (...args: unknown[]): void => post({ type: "stream", name, text: `${formatArgs(args)}\n` });
console.log = out("stdout");
console.info = out("stdout");
console.debug = out("stdout");
console.warn = out("stderr");
console.error = out("stderr");

// seqlab's plot.* displays through this writer (src/plot/display.ts), as it does through tslab's.
const display = (content: DisplayContent, update: boolean): void => post({ type: "display", content, update });
(globalThis as Record<symbol, unknown>)[Symbol.for("seqlab.writeDisplayData")] = display;

/** tslab's display API: one MIME type per call, and displays that update in place. */
function tslabModule(): object {
  let counter = 0;
  const base64 = (b: Uint8Array): string => {
    let s = "";
    for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]!);
    return btoa(s);
  };
  const make = (id?: string) => {
    let shown = false;
    const send = (mime: string, data: string): void => {
      const bundle: MimeBundle = { [mime]: data };
      display({ data: bundle, metadata: {}, transient: id ? { display_id: id } : {} }, id !== undefined && shown);
      shown = true;
    };
    return {
      javascript: (s: string) => send("application/javascript", s),
      html: (s: string) => send("text/html", s),
      markdown: (s: string) => send("text/markdown", s),
      latex: (s: string) => send("text/latex", s),
      svg: (s: string) => send("image/svg+xml", s),
      png: (b: Uint8Array) => send("image/png", base64(b)),
      jpeg: (b: Uint8Array) => send("image/jpeg", base64(b)),
      gif: (b: Uint8Array) => send("image/gif", base64(b)),
      pdf: (b: Uint8Array) => send("application/pdf", base64(b)),
      text: (s: string) => send("text/plain", s),
      raw: (mime: string, b: string | Uint8Array) => send(mime, typeof b === "string" ? b : base64(b)),
    };
  };
  return {
    display: make(),
    newDisplay: () => make(`tslab-${Date.now().toString(36)}-${++counter}`),
    versions: { tslab: "seqlab browser kernel", typescript: self_.ts?.version ?? "", node: "none (browser)" },
  };
}

/**
 * Node's fs, the part a notebook needs to read its data: files of the site, relative to the
 * notebook's folder, read with a synchronous request (allowed in a worker) so `readFileSync`
 * stays synchronous as in Node.
 */
function fsModule(filesUrl: string): { readFileSync(path: unknown, options?: unknown): string | Uint8Array; existsSync(path: unknown): boolean } {
  const get = (path: string, binary: boolean): { status: number; body: string | ArrayBuffer } => {
    const url = new URL(path.replace(/^\.\//, ""), filesUrl);
    if (!url.href.startsWith(new URL("../", filesUrl).origin)) throw new Error(`fs: ${path} is outside the site`);
    const xhr = new XMLHttpRequest();
    xhr.open("GET", url.href, false);
    if (binary) xhr.responseType = "arraybuffer";
    xhr.send();
    return { status: xhr.status, body: xhr.response as string | ArrayBuffer };
  };
  const enoent = (path: string): Error =>
    Object.assign(new Error(`ENOENT: no such file or directory, open '${path}' (this kernel reads the site's files in the notebook's folder)`), { code: "ENOENT" });
  return {
    readFileSync(path: unknown, options?: unknown): string | Uint8Array {
      if (typeof path !== "string") throw new TypeError(`fs.readFileSync: expected a path string, got ${inspect(path)}`);
      const encoding = typeof options === "string" ? options : (options as { encoding?: string } | undefined)?.encoding;
      if (encoding !== undefined && encoding !== "utf8" && encoding !== "utf-8") throw new TypeError(`fs.readFileSync: only the utf8 encoding is offered here, got ${inspect(encoding)}`);
      const r = get(path, encoding === undefined);
      if (r.status !== 200) throw enoent(path);
      return typeof r.body === "string" ? r.body : new Uint8Array(r.body);
    },
    existsSync(path: unknown): boolean {
      if (typeof path !== "string") return false;
      try {
        return get(path, true).status === 200;
      } catch {
        return false;
      }
    },
  };
}

let session: Session | null = null;
let compiler: CellCompiler | null = null;
let queue: Promise<void> = Promise.resolve();

async function init(msg: Extract<ToWorker, { type: "init" }>): Promise<void> {
  const started = performance.now();
  self_.importScripts(`${msg.assetsUrl}typescript.js`);
  const ts = self_.ts;
  if (!ts) throw new Error("the TypeScript compiler did not load");
  const types = (await (await fetch(`${msg.assetsUrl}types.json`)).json()) as Types;
  compiler = new CellCompiler({ ts, libFiles: types.libFiles, libs: types.libs, files: types.files, importable: [...IMPORTABLE] });
  const fs = fsModule(msg.filesUrl);
  // ONNX Runtime from the site's own files, on this worker's thread: one thread and no proxy
  // worker, so it needs neither SharedArrayBuffer nor a script of its own.
  ort.env.wasm.wasmPaths = { wasm: `${msg.assetsUrl}ort-wasm-simd-threaded.wasm` };
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const modules = { seqlab, "seqlab/onnx": seqlabOnnx, fs, tslab: tslabModule(), "onnxruntime-web": ort };
  // seqlab's load("data/model.pt") reads through the same requests (src/io/files.ts); no writer.
  (globalThis as Record<symbol, unknown>)[Symbol.for("seqlab.files")] = { readFile: (path: string) => fs.readFileSync(path) };
  session = new Session(compiler, modules, IMPORTABLE);
  await seqlab.ready();
  // Threads need SharedArrayBuffer, which only a cross-origin isolated page has: else one, quietly.
  const threads = self_.crossOriginIsolated === true && msg.threads > 1 ? await seqlab.setThreads(msg.threads) : 1;
  // Warm the compiler (libs parsed and bound once) so the first cell does not pay for it.
  compiler.compile("export {};");
  compiler.reset();
  post({ type: "ready", threads, seconds: (performance.now() - started) / 1000 });
}

async function execute(code: string): Promise<void> {
  if (!session) throw new Error("the kernel worker was not initialised");
  const outcome = await session.execute(code);
  if (outcome.status === "ok") {
    if (outcome.value !== undefined) post({ type: "result", data: { "text/plain": inspect(outcome.value) } });
    post({ type: "done", status: "ok" });
  } else {
    post({ type: "done", status: "error", ename: outcome.ename, evalue: outcome.evalue, traceback: outcome.traceback });
  }
}

self_.onmessage = (event) => {
  const msg = event.data;
  // One message at a time, in order: a cell's outputs never interleave with the next cell's.
  queue = queue.then(async () => {
    try {
      if (msg.type === "init") await init(msg);
      else if (msg.type === "execute") await execute(msg.code);
      else if (msg.type === "complete") post({ type: "completion", ...(compiler?.complete(msg.code, msg.cursor) ?? { matches: [], start: msg.cursor, end: msg.cursor }) });
      else post({ type: "inspection", text: compiler?.inspect(msg.code, msg.cursor) ?? null });
    } catch (e) {
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (msg.type === "init") post({ type: "failed", message });
      else if (msg.type === "complete") post({ type: "completion", matches: [], start: msg.cursor, end: msg.cursor });
      else if (msg.type === "inspect") post({ type: "inspection", text: null });
      else post({ type: "done", status: "error", ename: "KernelError", evalue: message, traceback: [message] });
    }
  });
};
