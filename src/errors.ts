/**
 * Errors that seqlab throws on bad input. Each names what was expected and what arrived,
 * so a student reading a traceback in a notebook knows what to change.
 */

/** A tensor had the wrong shape (or two shapes do not fit together). */
export class ShapeError extends Error {
  override name = "ShapeError";
}

/** Two tensors with different dtypes met in one op, or a dtype was not allowed. */
export class DTypeError extends Error {
  override name = "DTypeError";
}

/** A loss or gradient became NaN or ±Infinity during training. */
export class NonFiniteError extends Error {
  override name = "NonFiniteError";
}

/** Formats a shape the way PyTorch prints it: (2, 3, 4). */
export function fmtShape(shape: readonly number[]): string {
  return `(${shape.join(", ")}${shape.length === 1 ? "," : ""})`;
}

/** An option was given a value outside the ones it allows (PyTorch raises ValueError). */
export class OptionError extends Error {
  override name = "OptionError";
}
