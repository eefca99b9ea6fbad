/** Sending a finished plot bundle to the notebook, unless the caller asked not to. */
import { display, type MimeBundle } from "./display.js";

export interface ShowOptions {
  /** Display in the notebook (default true). Set false to only build the payload. */
  show?: boolean;
}

export function show(bundle: MimeBundle, opts: ShowOptions): void {
  if (opts.show ?? true) display(bundle);
}

/**
 * tslab prints a cell's last value below its outputs. A plot call is usually that value, so
 * the payload prints as one line (`summary`) instead of pages of JSON. The key is a symbol:
 * JSON.stringify and the schema never see it.
 */
export function withSummary<T extends object>(payload: T, summary: string): T {
  Object.defineProperty(payload, Symbol.for("nodejs.util.inspect.custom"), { value: () => summary, enumerable: false });
  return payload;
}
