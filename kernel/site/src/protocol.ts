/** Messages between the kernel (page) and its Web Worker. */

/** A Jupyter MIME bundle. */
export type MimeBundle = Record<string, string | object>;

export interface DisplayContent {
  data: MimeBundle;
  metadata: Record<string, unknown>;
  transient: { display_id?: string };
}

export type ToWorker =
  | {
      type: "init";
      /** Absolute URL of the site's static assets (types.json, typescript.js). */
      assetsUrl: string;
      /** Absolute URL of the folder the notebook is in, under the site's files/ (ends with "/"). */
      filesUrl: string;
      /** Threads for seqlab's WebAssembly kernels where the page is cross-origin isolated. */
      threads: number;
    }
  | { type: "execute"; code: string }
  /** Completions (Tab) or hover help (Shift+Tab) at `cursor`, a string index into `code`. */
  | { type: "complete" | "inspect"; code: string; cursor: number };

export type FromWorker =
  | { type: "ready"; threads: number; seconds: number }
  | { type: "failed"; message: string }
  | { type: "stream"; name: "stdout" | "stderr"; text: string }
  | { type: "display"; content: DisplayContent; update: boolean }
  | { type: "result"; data: MimeBundle }
  | { type: "completion"; matches: string[]; start: number; end: number }
  | { type: "inspection"; text: string | null }
  | { type: "done"; status: "ok" }
  | { type: "done"; status: "error"; ename: string; evalue: string; traceback: string[] };

/** The modules a cell can import, with what each is. */
export const IMPORTABLE = ["seqlab", "seqlab/onnx", "fs", "tslab", "onnxruntime-web"] as const;
