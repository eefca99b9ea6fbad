/**
 * Showing a plot in the notebook. seqlab's outputs are multi-MIME bundles (the interactive
 * payload, a text/plain summary and, for most kinds, a static picture), which tslab's public
 * `display.raw` cannot send (one MIME type per call). This is the one place seqlab talks to
 * tslab's kernel, through the function its public API itself uses (or to seqlab's browser kernel,
 * through the writer it installs). Outside a kernel (a script, a test, a page) nothing is shown
 * and the caller still gets its payload.
 */

/** A Jupyter MIME bundle: MIME type → string or JSON value. */
export type MimeBundle = Record<string, string | object>;

interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}
type WriteDisplayData = (content: DisplayContent, update: boolean) => void;

interface NodeLike {
  cwd(): string;
  getBuiltinModule?(id: string): unknown;
}

/**
 * Where a kernel other than tslab (seqlab's browser kernel, in its Web Worker) installs its own
 * writer, with tslab's signature: a symbol on globalThis, so neither side imports the other.
 */
const HOST_WRITER = Symbol.for("seqlab.writeDisplayData");

function tslabWriter(): WriteDisplayData | null {
  const host = (globalThis as { [HOST_WRITER]?: unknown })[HOST_WRITER];
  if (typeof host === "function") return host as WriteDisplayData;
  const proc = (globalThis as { process?: NodeLike }).process;
  if (!proc?.getBuiltinModule) return null;
  const mod = proc.getBuiltinModule("module") as { createRequire(path: string): { cache: Record<string, { exports?: unknown } | undefined> } };
  const cache = mod.createRequire(`${proc.cwd()}/`).cache;
  // The kernel process has tslab's jupyter module loaded; find it wherever tslab is installed.
  for (const [path, entry] of Object.entries(cache)) {
    if (/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(path)) {
      const write = (entry?.exports as { lastWriteDisplayData?: WriteDisplayData } | undefined)?.lastWriteDisplayData;
      return typeof write === "function" ? write : null;
    }
  }
  return null;
}

/** Whether code is running inside a tslab kernel cell (so `display` will show something). */
export function inNotebook(): boolean {
  return tslabWriter() !== null;
}

let counter = 0;

/** A fresh id for a display that will be updated in place (live training curves). */
export function newDisplayId(): string {
  counter += 1;
  return `seqlab-${Date.now().toString(36)}-${counter}`;
}

/**
 * Sends `bundle` as the output of the running cell. With `update` and the same `displayId`,
 * replaces an earlier output in place. Outside a notebook it does nothing (see `inNotebook`).
 */
export function display(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): void {
  const write = tslabWriter();
  if (!write) return;
  const transient = opts.displayId ? { display_id: opts.displayId } : {};
  write({ data: withHtmlPicture(bundle), metadata: {}, transient }, opts.update ?? false);
}

/**
 * Adds a text/html view that is the static picture as an <img> of the SVG. HTML exports read it
 * first: Debian's nbconvert 6.5 (and so JupyterLab's "Export as HTML" here) strips every element
 * inside an inline image/svg+xml output, leaving an empty box; an <img> of the same SVG survives
 * it and the newer nbconverts. It holds only base64 text, no payload string as HTML.
 */
export function withHtmlPicture(bundle: MimeBundle): MimeBundle {
  const svg = bundle["image/svg+xml"];
  if (typeof svg !== "string" || "text/html" in bundle) return bundle;
  const bytes = new TextEncoder().encode(svg);
  let binary = "";
  for (let k = 0; k < bytes.length; k += 0x8000) binary += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return { ...bundle, "text/html": `<img alt="seqlab plot" src="data:image/svg+xml;base64,${btoa(binary)}">` };
}
