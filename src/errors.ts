/**
 * Errors that seqlab throws on bad input. Each names what was expected and what arrived,
 * so a student reading a traceback in a notebook knows what to change.
 */

// Frames from inside seqlab, the JavaScript engine and the notebook kernel only bury the message:
// the student needs the message and where their own code called.
const LIBRARY = new URL("./", import.meta.url);
// Node prints file frames as URLs or as paths (under a test runner, say): both forms.
const INTERNAL = [LIBRARY.href, ...(LIBRARY.protocol === "file:" ? [decodeURIComponent(LIBRARY.pathname)] : []), "node:", "/tslab/", "/node_modules/"];

/** The base of seqlab's errors: the message first, then only the frames of the caller's code. */
export class SeqlabError extends Error {
  constructor(message: string) {
    super(message);
    const header = `${new.target.name}: ${message}`;
    const frames = (this.stack ?? "").split("\n").filter((l) => /^\s+at /.test(l) && !INTERNAL.some((p) => l.includes(p)));
    let stack = [header, ...frames].join("\n");
    // Node's vm (and so tslab) prepends the library source line that threw ("file:…:175\n throw
    // new ShapeError(…)\n ^") by assigning to `stack`: keep what starts at the message.
    Object.defineProperty(this, "stack", {
      configurable: true,
      enumerable: false,
      get: () => stack,
      set: (v: unknown) => {
        const text = String(v);
        stack = text.includes(header) ? text.slice(text.indexOf(header)) : text;
      },
    });
  }
}

/** A tensor had the wrong shape (or two shapes do not fit together). */
export class ShapeError extends SeqlabError {
  override name = "ShapeError";
}

/** Two tensors with different dtypes met in one op, or a dtype was not allowed. */
export class DTypeError extends SeqlabError {
  override name = "DTypeError";
}

/** A loss or gradient became NaN or ±Infinity during training. */
export class NonFiniteError extends SeqlabError {
  override name = "NonFiniteError";
}

/** Backward cannot give a right gradient (a tensor it needs changed after the forward pass). */
export class AutogradError extends SeqlabError {
  override name = "AutogradError";
}

/** Formats a shape the way PyTorch prints it: (2, 3, 4). */
export function fmtShape(shape: readonly number[]): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** An option was given a value outside the ones it allows (PyTorch raises ValueError). */
export class OptionError extends SeqlabError {
  override name = "OptionError";
}

/** A file is not what it claims to be, or asks for something seqlab will not do (run code). */
export class FileFormatError extends SeqlabError {
  override name = "FileFormatError";
}
