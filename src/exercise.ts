/**
 * Checks for the notebooks' exercises. Each prints one line a student can act on,
 * "✔ right: …" or "✘ not yet: … (hint: …)", and returns whether the answer is right, so the
 * notebook tests can assert that the reference solutions pass.
 */

/** Options of `check`. */
export interface CheckOptions {
  /** Largest accepted |actual − expected| for numbers (default 1e-6 relative to max(1, |expected|)). */
  tol?: number;
  /** Printed after a wrong answer. */
  hint?: string;
}

type Checkable = number | string | boolean | readonly Checkable[];

/** Where `actual` first differs from `expected`, or null when they agree (numbers within `tol`). */
function difference(actual: unknown, expected: Checkable, tol: number | undefined, path: string): string | null {
  if (typeof expected === "number") {
    if (typeof actual !== "number" || Number.isNaN(actual)) return `${path || "the answer"} is ${show(actual)}, expected a number`;
    const allowed = tol ?? 1e-6 * Math.max(1, Math.abs(expected));
    return Math.abs(actual - expected) <= allowed ? null : `${path || "the answer"} is ${show(actual)}, expected ${show(expected)} (±${allowed >= 1e-3 ? allowed.toPrecision(2) : allowed.toExponential(1)})`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) && !ArrayBuffer.isView(actual)) return `${path || "the answer"} is ${show(actual)}, expected a list of ${expected.length}`;
    const list = Array.from(actual as ArrayLike<unknown>);
    if (list.length !== expected.length) return `${path || "the answer"} has ${list.length} entries, expected ${expected.length}`;
    for (let k = 0; k < expected.length; k++) {
      const d = difference(list[k], expected[k] as Checkable, tol, `${path}[${k}]`);
      if (d) return d;
    }
    return null;
  }
  return actual === expected ? null : `${path || "the answer"} is ${show(actual)}, expected ${show(expected)}`;
}

function show(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "undefined (not answered yet?)";
  return String(v);
}

/**
 * Compares a student's answer with the expected value (numbers within `tol`, strings and
 * booleans exactly, lists element by element) and prints the verdict.
 *
 * @example
 * check("Exercise 1: parameters of RNN(4 → 8)", answer, 4 * 8 + 8 * 8 + 2 * 8, { hint: "W_ih, W_hh and two biases" });
 */
export function check(name: string, actual: unknown, expected: Checkable, opts: CheckOptions = {}): boolean {
  const diff = difference(actual, expected, opts.tol, "");
  if (diff === null) {
    console.log(`✔ right: ${name}: ${show(actual)}`);
    return true;
  }
  console.log(`✘ not yet: ${name}: ${diff}${opts.hint ? ` (hint: ${opts.hint})` : ""}`);
  return false;
}

/**
 * Prints "✔ right: name: whyRight" when `condition` holds, else "✘ not yet: name: whyWrong".
 * For answers with many right values (a trained model, a chosen hyperparameter).
 */
export function checkThat(name: string, condition: boolean, whyRight: string, whyWrong: string): boolean {
  console.log(condition ? `✔ right: ${name}: ${whyRight}` : `✘ not yet: ${name}: ${whyWrong}`);
  return condition;
}
