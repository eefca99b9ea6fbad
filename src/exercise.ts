/**
 * Checks for the notebooks' exercises, written for autograding (nbgrader's rules): a right
 * answer prints "✔ right: …" and returns; a wrong or missing one **throws**, so the check cell
 * ends in an error a grader counts as 0 points. Nothing is ever written to stderr by a passing
 * check (nbgrader scores any stderr output as a failure).
 *
 * A check never prints the expected value. Where the expected value itself must stay hidden from
 * the student reading the notebook, the check cell holds a *sealed* key instead (see `seal`),
 * which can tell whether an answer is right without containing the answer.
 */
import { SeqlabError } from "./errors.js";
import { sha256 } from "./sha256.js";

/** Options of `check`. */
export interface CheckOptions {
  /** Largest accepted |actual − expected| for numbers (default 1e-6). */
  tol?: number;
  /** Shown after a wrong answer. */
  hint?: string;
}

/** What an exercise's answer can be: a number, a string, a boolean, or a list of them. */
export type Checkable = number | string | boolean | readonly Checkable[];

/** The answer is not right. Its message is the verdict the student reads. */
export class WrongAnswer extends SeqlabError {
  override name = "WrongAnswer";
}

/** The answer variable is still undefined: the exercise has not been done yet. */
export class NotAnswered extends SeqlabError {
  override name = "NotAnswered";
}

const DEFAULT_TOL = 1e-6;

// The verdict first, then only the student's own line (SeqlabError drops the library's frames).
function fail(ErrorType: typeof WrongAnswer | typeof NotAnswered, message: string): never {
  throw new ErrorType(message);
}

function show(v: unknown): string {
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return `[${Array.from(v as ArrayLike<unknown>, show).join(", ")}]`;
  return String(v);
}

/** Throws "not answered yet" when `value` is undefined or null; narrows its type otherwise. */
export function answered<T>(name: string, value: T | undefined | null): asserts value is T {
  if (value === undefined || value === null) fail(NotAnswered, `✘ not answered yet: ${name}: the answer is still ${String(value)}`);
}

// ---------------------------------------------------------------------------------------------
// Comparing an answer leaf by leaf, with the expected value in the clear or sealed.

/** One expected leaf: how to tell whether an actual leaf matches it. */
interface Leaf {
  /** "any": an exact sealed leaf, whose kind the key does not tell (that would say whether the answer is a word or a number). */
  kind: "number" | "string" | "boolean" | "any";
  matches(actual: number | string | boolean, path: string): boolean;
}

/** The expected answer as a tree whose leaves can judge an actual value. */
type Expected = Leaf | readonly Expected[];

const isLeaf = (e: Expected): e is Leaf => !Array.isArray(e);

/** Where `actual` first fails `expected`, or null when every leaf matches. */
function difference(actual: unknown, expected: Expected, path: string): string | null {
  const where = path || "the answer";
  if (!isLeaf(expected)) {
    if (!Array.isArray(actual) && !ArrayBuffer.isView(actual)) return `${where} is ${show(actual)}, expected a list of ${expected.length}`;
    const list = Array.from(actual as ArrayLike<unknown>);
    if (list.length !== expected.length) return `${where} has ${list.length} entries, expected ${expected.length}`;
    for (let k = 0; k < expected.length; k++) {
      const d = difference(list[k], expected[k]!, `${path}[${k}]`);
      if (d) return d;
    }
    return null;
  }
  const ok = expected.kind === "any"
    ? ["number", "string", "boolean"].includes(typeof actual)
    : expected.kind === "number" ? typeof actual === "number" && !Number.isNaN(actual) : typeof actual === expected.kind;
  if (!ok) return `${where} is ${show(actual)}, expected ${expected.kind === "any" ? "a number, a string or a boolean" : `a ${expected.kind}`}`;
  return expected.matches(actual as number | string | boolean, path) ? null : `${where} is ${show(actual)}, which is not right`;
}

/** An expected value in the clear (for hidden tests and for checks whose value is no secret). */
function plain(expected: Checkable, tol: number): Expected {
  if (Array.isArray(expected)) return expected.map((e) => plain(e as Checkable, tol));
  const kind = typeof expected as "number" | "string" | "boolean";
  return { kind, matches: (a) => (kind === "number" ? Math.abs((a as number) - (expected as number)) <= tol : a === expected) };
}

// Sealed keys. A key holds, per leaf, digests of salted values, never the values:
//   strings, booleans and integers with the default tolerance: the digest of the value itself;
//   other numbers: the value's line is cut into buckets a quarter of `tol` wide, at a random
//     offset, and the key lists the digests of the buckets that meet [x − tol, x + tol]. An
//     answer is right when its bucket is listed: always within tol, never beyond 1.25 · tol.
// Key text: seqlab-key:1:<salt>:<tol>:<leaves>, leaves in order, joined by ";", each
//   "=<digest>" (exact) or "~<offset>/<digest>,<digest>,…" (buckets); lists are "[" leaves "]".
const KEY_PREFIX = "seqlab-key:1:";
const EXACT_HEX = 16;
const BUCKET_HEX = 10;
const BUCKETS_PER_TOL = 4;

const digest = (salt: string, path: string, value: string, hex: number): string => sha256(`${salt}|${path}|${value}`).slice(0, hex);
const leafText = (v: string | boolean | number): string => `${typeof v}:${String(v)}`;

/**
 * Seals an expected answer: the key text to paste into a check cell as `sealed("…")`. The key can
 * judge an answer but does not contain it. (It hides the answer from reading, not from search:
 * a student can still try values one by one, as with any check that says right or wrong.)
 *
 * @example
 * seal(0.9 ** 20, { tol: 1e-3 })   // run once, in a scratch cell of the source notebook
 */
export function seal(expected: Checkable, opts: { tol?: number } = {}): string {
  const tol = checkTol(opts.tol);
  const salt = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, "0")).join("");
  const bucket = tol / BUCKETS_PER_TOL;
  const leaf = (v: Checkable, path: string): string => {
    if (Array.isArray(v)) return `[${v.map((e, k) => leaf(e as Checkable, `${path}[${k}]`)).join(";")}]`;
    if (typeof v === "number" && !Number.isFinite(v)) throw new RangeError(`seal: expected finite numbers, got ${v} at ${path || "the answer"}`);
    if (typeof v !== "number" || (Number.isInteger(v) && opts.tol === undefined)) return `=${digest(salt, path, leafText(v as string | number | boolean), EXACT_HEX)}`;
    const offset = Number((globalThis.crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32 * bucket).toPrecision(6));
    const first = Math.floor((v - tol - offset) / bucket);
    const last = Math.floor((v + tol - offset) / bucket);
    const digests: string[] = [];
    for (let k = first; k <= last; k++) digests.push(digest(salt, path, `bucket:${k}`, BUCKET_HEX));
    return `~${offset}/${digests.join(",")}`;
  };
  return `${KEY_PREFIX}${salt}:${tol}:${leaf(expected, "")}`;
}

/** A sealed expected answer, made by `sealed` from the key text `seal` printed. */
export interface Sealed {
  readonly key: string;
}

const sealedTrees = new WeakMap<Sealed, Expected>();

/** Reads a key made by `seal`. A malformed key is an error naming what was expected. */
export function sealed(key: string): Sealed {
  const bad = (why: string): never => {
    throw new SyntaxError(`sealed: expected a key made by seal() ("${KEY_PREFIX}<salt>:<tol>:<leaves>"), ${why}`);
  };
  if (typeof key !== "string" || !key.startsWith(KEY_PREFIX)) bad(`got ${show(key)}`);
  const [salt, tolText, ...rest] = key.slice(KEY_PREFIX.length).split(":");
  const tol = Number(tolText);
  if (!salt || !/^[0-9a-f]+$/.test(salt) || !(tol > 0)) bad("its salt or tolerance is unreadable");
  const body = rest.join(":");
  let at = 0;
  const parse = (path: string): Expected => {
    if (body[at] === "[") {
      at++;
      const items: Expected[] = [];
      while (body[at] !== "]") {
        if (at >= body.length) bad("a list is not closed");
        items.push(parse(`${path}[${items.length}]`));
        if (body[at] === ";") at++;
      }
      at++;
      return items;
    }
    const end = body.slice(at).search(/[;\]]|$/) + at;
    const text = body.slice(at, end);
    at = end;
    if (/^=[0-9a-f]+$/.test(text)) {
      const want = text.slice(1);
      return {
        kind: "any",
        matches: (a) => digest(salt!, path, leafText(typeof a === "number" && Math.abs(a - Math.round(a)) <= tol ? Math.round(a) : a), want.length) === want,
      };
    }
    const m = /^~([-0-9.e]+)\/([0-9a-f,]+)$/.exec(text);
    if (!m) return bad(`its leaf "${text.slice(0, 20)}" is unreadable`);
    const offset = Number(m[1]);
    const digests = new Set(m[2]!.split(","));
    const bucket = tol / BUCKETS_PER_TOL;
    return { kind: "number", matches: (a) => digests.has(digest(salt!, path, `bucket:${Math.floor(((a as number) - offset) / bucket)}`, BUCKET_HEX)) };
  };
  const tree = parse("");
  if (at !== body.length) bad("it has text after its last leaf");
  const answer: Sealed = Object.freeze({ key });
  sealedTrees.set(answer, tree);
  return answer;
}

function checkTol(tol: number | undefined): number {
  if (tol === undefined) return DEFAULT_TOL;
  if (typeof tol !== "number" || !(tol > 0) || !Number.isFinite(tol)) throw new RangeError(`check: tol must be a positive number, got ${show(tol)}`);
  return tol;
}


/**
 * Compares a student's answer with the expected value (numbers within `tol`, strings and
 * booleans exactly, lists element by element): prints "✔ right: …" or throws `WrongAnswer`
 * ("✘ not yet: …", with the hint, never the expected value), or `NotAnswered` while the answer
 * is undefined. `expected` is a value, or `sealed(key)` to keep the value out of sight.
 *
 * @example
 * check("Exercise 1: parameters of RNN(4 → 8)", answer1, sealed("seqlab-key:1:…"), { hint: "W_ih, W_hh and two biases" });
 */
export function check(name: string, actual: unknown, expected: Checkable | Sealed, opts: CheckOptions = {}): void {
  answered(name, actual);
  const tree = typeof expected === "object" && !Array.isArray(expected) ? sealedTrees.get(expected as Sealed) : plain(expected as Checkable, checkTol(opts.tol));
  if (tree === undefined) throw new TypeError(`check: expected a value or sealed("…") as the expected answer, got ${show(expected)}`);
  const diff = difference(actual, tree, "");
  if (diff !== null) fail(WrongAnswer, `✘ not yet: ${name}: ${diff}${opts.hint ? ` (hint: ${opts.hint})` : ""}`);
  console.log(`✔ right: ${name}: ${show(actual)}`);
}

/**
 * Prints "✔ right: name: whyRight" when `condition` holds, else throws `WrongAnswer` with
 * "✘ not yet: name: whyWrong". For answers with many right values (a trained model, a chosen
 * hyperparameter); call `answered` first where the answer may still be undefined.
 */
export function checkThat(name: string, condition: boolean, whyRight: string, whyWrong: string): void {
  if (!condition) fail(WrongAnswer, `✘ not yet: ${name}: ${whyWrong}`);
  console.log(`✔ right: ${name}: ${whyRight}`);
}
