/**
 * A safe reader of Python's pickle format, for what `torch.save(model.state_dict())` writes.
 *
 * Python's own unpickler runs whatever a file names: `GLOBAL posix system` then `REDUCE` calls
 * os.system. This one knows only the opcodes a state dict uses, and a global is allowed only if
 * the caller lists it: anything else stops the read at once, with the global's name, before any
 * value is built from it. Nothing in a file is ever run; "calling" an allowed global is a
 * TypeScript function the caller chose.
 */
import { FileFormatError } from "../errors.js";

/** Python's tuple, kept apart from its list (a list may be appended to; a tuple is an argument list). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** Python's dict and OrderedDict (keys are strings or numbers in a state dict). */
export class PyDict {
  readonly items = new Map<string | number, PyValue>();
  /** Attributes set by BUILD (an OrderedDict's `_metadata`). */
  attributes: PyValue = null;
}

/** A global the caller allowed (a storage type, OrderedDict, torch's tensor rebuilders). */
export class PyGlobal {
  constructor(readonly module: string, readonly name: string) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** What an allowed global or persistent id was turned into by the caller. */
export class PyOpaque<T> {
  constructor(readonly value: T) {}
}

export type PyValue = null | boolean | number | bigint | string | Uint8Array | PyValue[] | PyTuple | PyDict | PyGlobal | PyOpaque<unknown>;

export interface UnpickleOptions {
  /** Allowed globals by "module.name"; the function is what REDUCE of it does (none: it may only be passed as a value). */
  globals: ReadonlyMap<string, ((args: PyValue[]) => PyValue) | null>;
  /** What a persistent id (PyTorch's storages) stands for. */
  persistentLoad?: (pid: PyValue) => PyValue;
  /** For messages: "load(\"model.pt\")". */
  where: string;
}

const MARK = Symbol("mark");
type StackItem = PyValue | typeof MARK;

// Opcodes by byte, as Python's pickletools names them; only these are read.
const NAMES: Record<number, string> = {
  0x80: "PROTO", 0x95: "FRAME", 0x2e: "STOP", 0x28: "MARK", 0x30: "POP", 0x31: "POP_MARK", 0x32: "DUP",
  0x4e: "NONE", 0x88: "NEWTRUE", 0x89: "NEWFALSE", 0x4a: "BININT", 0x4b: "BININT1", 0x4d: "BININT2",
  0x8a: "LONG1", 0x8b: "LONG4", 0x47: "BINFLOAT", 0x58: "BINUNICODE", 0x8c: "SHORT_BINUNICODE", 0x8d: "BINUNICODE8",
  0x54: "BINSTRING", 0x55: "SHORT_BINSTRING", 0x42: "BINBYTES", 0x43: "SHORT_BINBYTES", 0x8e: "BINBYTES8",
  0x7d: "EMPTY_DICT", 0x5d: "EMPTY_LIST", 0x29: "EMPTY_TUPLE", 0x74: "TUPLE", 0x85: "TUPLE1", 0x86: "TUPLE2", 0x87: "TUPLE3",
  0x73: "SETITEM", 0x75: "SETITEMS", 0x61: "APPEND", 0x65: "APPENDS",
  0x71: "BINPUT", 0x72: "LONG_BINPUT", 0x94: "MEMOIZE", 0x68: "BINGET", 0x6a: "LONG_BINGET",
  0x63: "GLOBAL", 0x93: "STACK_GLOBAL", 0x52: "REDUCE", 0x81: "NEWOBJ", 0x62: "BUILD", 0x51: "BINPERSID",
};

const describe = (v: StackItem): string =>
  v === MARK ? "a mark" : v === null ? "None" : v instanceof PyTuple ? "a tuple" : v instanceof PyDict ? "a dict" : v instanceof PyGlobal ? v.qualified :
  Array.isArray(v) ? "a list" : v instanceof Uint8Array ? "bytes" : v instanceof PyOpaque ? "an object" : typeof v;

/** The allowed globals for a message, PyTorch's many storage types as one pattern. */
function allowedNames(globals: ReadonlyMap<string, unknown>): string {
  const names = [...globals.keys()];
  const storages = names.filter((n) => /^torch\.\w+Storage$/.test(n));
  return [...names.filter((n) => !storages.includes(n)), ...(storages.length ? ["torch.*Storage"] : [])].join(", ");
}

/** Reads one pickle starting at `start`; returns its value and where the next byte after STOP is. */
export function unpickle(bytes: Uint8Array, start: number, opts: UnpickleOptions): { value: PyValue; end: number } {
  const { where } = opts;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder("utf-8", { fatal: true });
  const latin1 = new TextDecoder("latin1");
  const stack: StackItem[] = [];
  const memo = new Map<number, PyValue>();
  let at = start;

  const fail = (why: string): never => {
    throw new FileFormatError(`${where}: not a PyTorch state dict this reader understands (${why}, at byte ${at})`);
  };
  const take = (n: number): Uint8Array => {
    if (n < 0 || at + n > bytes.length) fail(`the pickle is cut short: ${n} more bytes wanted, ${bytes.length - at} left`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const u8 = () => take(1)[0]!;
  const u16 = () => (take(2), view.getUint16(at - 2, true));
  const u32 = () => (take(4), view.getUint32(at - 4, true));
  const u64 = () => {
    take(8);
    const v = view.getBigUint64(at - 8, true);
    if (v > BigInt(bytes.length)) fail(`a length of ${v} bytes in a file of ${bytes.length}`);
    return Number(v);
  };
  const pop = (): PyValue => {
    const v = stack.pop();
    if (v === undefined) return fail("the stack is empty");
    if (v === MARK) return fail("a mark where a value was expected");
    return v;
  };
  const top = (): PyValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) return fail("no value on the stack");
    return v;
  };
  const popToMark = (): PyValue[] => {
    const i = stack.lastIndexOf(MARK);
    if (i < 0) fail("no mark on the stack");
    const items = stack.splice(i) as PyValue[];
    items.shift();
    return items;
  };
  const toNumber = (v: bigint): number | bigint => (v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
  const long = (raw: Uint8Array): number | bigint => {
    let v = 0n;
    for (let i = raw.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]!);
    if (raw.length && raw[raw.length - 1]! & 0x80) v -= 1n << BigInt(8 * raw.length);
    return toNumber(v);
  };
  const global = (module: string, name: string): PyGlobal => {
    const qualified = `${module}.${name}`;
    if (!opts.globals.has(qualified)) {
      throw new FileFormatError(
        `${where}: refused: the file asks for the Python global ${qualified}, which a state dict never needs ` +
        `(allowed: ${allowedNames(opts.globals)}). Under Python's pickle such a file can run code; nothing was loaded.`,
      );
    }
    return new PyGlobal(module, name);
  };
  const call = (fn: PyValue, args: PyValue, op: string): PyValue => {
    if (!(fn instanceof PyGlobal)) return fail(`${op} of ${describe(fn)}`);
    if (!(args instanceof PyTuple)) return fail(`${op} with ${describe(args)} as arguments`);
    const impl = opts.globals.get(fn.qualified);
    if (!impl) return fail(`${fn.qualified} is a type here, not something to call`);
    return impl(args.items);
  };
  const setItems = (dict: PyValue, items: PyValue[]) => {
    if (!(dict instanceof PyDict)) return fail(`setting items on ${describe(dict)}`);
    if (items.length % 2) fail("an odd number of items for a dict");
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i]!;
      if (typeof key !== "string" && typeof key !== "number") fail(`a dict key that is ${describe(key)}`);
      // Python keeps the last of two equal keys without a word; a state dict never has two.
      if (dict.items.has(key as string | number)) fail(`the key ${JSON.stringify(key)} twice in one dict`);
      dict.items.set(key as string | number, items[i + 1]!);
    }
  };
  const append = (list: PyValue, items: PyValue[]) => {
    if (!Array.isArray(list)) return fail(`appending to ${describe(list)}`);
    list.push(...items);
  };

  for (;;) {
    const code = u8();
    const op = NAMES[code];
    if (op === undefined) fail(`opcode 0x${code.toString(16).padStart(2, "0")} (${JSON.stringify(String.fromCharCode(code))}), which a state dict does not use`);
    switch (op) {
      case "PROTO": if (u8() > 5) fail("a pickle protocol newer than 5"); break;
      case "FRAME": take(8); break;
      case "STOP": return { value: pop(), end: at };
      case "MARK": stack.push(MARK); break;
      case "POP": pop(); break;
      case "POP_MARK": popToMark(); break;
      case "DUP": stack.push(top()); break;
      case "NONE": stack.push(null); break;
      case "NEWTRUE": stack.push(true); break;
      case "NEWFALSE": stack.push(false); break;
      case "BININT": take(4); stack.push(view.getInt32(at - 4, true)); break;
      case "BININT1": stack.push(u8()); break;
      case "BININT2": stack.push(u16()); break;
      case "LONG1": stack.push(long(take(u8()))); break;
      case "LONG4": stack.push(long(take(u32()))); break;
      case "BINFLOAT": take(8); stack.push(view.getFloat64(at - 8, false)); break;
      case "BINUNICODE": stack.push(text.decode(take(u32()))); break;
      case "SHORT_BINUNICODE": stack.push(text.decode(take(u8()))); break;
      case "BINUNICODE8": stack.push(text.decode(take(u64()))); break;
      case "BINSTRING": stack.push(latin1.decode(take(u32()))); break;
      case "SHORT_BINSTRING": stack.push(latin1.decode(take(u8()))); break;
      case "BINBYTES": stack.push(take(u32()).slice()); break;
      case "SHORT_BINBYTES": stack.push(take(u8()).slice()); break;
      case "BINBYTES8": stack.push(take(u64()).slice()); break;
      case "EMPTY_DICT": stack.push(new PyDict()); break;
      case "EMPTY_LIST": stack.push([]); break;
      case "EMPTY_TUPLE": stack.push(new PyTuple([])); break;
      case "TUPLE": stack.push(new PyTuple(popToMark())); break;
      case "TUPLE1": stack.push(new PyTuple([pop()])); break;
      case "TUPLE2": { const b = pop(); stack.push(new PyTuple([pop(), b])); break; }
      case "TUPLE3": { const c = pop(); const b = pop(); stack.push(new PyTuple([pop(), b, c])); break; }
      case "SETITEM": { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; }
      case "SETITEMS": { const items = popToMark(); setItems(top(), items); break; }
      case "APPEND": { const v = pop(); append(top(), [v]); break; }
      case "APPENDS": { const items = popToMark(); append(top(), items); break; }
      case "BINPUT": memo.set(u8(), top()); break;
      case "LONG_BINPUT": memo.set(u32(), top()); break;
      case "MEMOIZE": memo.set(memo.size, top()); break;
      case "BINGET": case "LONG_BINGET": {
        const key = op === "BINGET" ? u8() : u32();
        if (!memo.has(key)) fail(`memo entry ${key} read before it was written`);
        stack.push(memo.get(key)!);
        break;
      }
      case "GLOBAL": {
        const line = (): string => {
          const end = bytes.indexOf(0x0a, at);
          if (end < 0) return fail("a GLOBAL without its newline");
          return latin1.decode(take(end - at + 1)).slice(0, -1);
        };
        const module = line();
        stack.push(global(module, line()));
        break;
      }
      case "STACK_GLOBAL": {
        const name = pop();
        const module = pop();
        if (typeof module !== "string" || typeof name !== "string") fail("a STACK_GLOBAL without two names");
        stack.push(global(module as string, name as string));
        break;
      }
      case "REDUCE": case "NEWOBJ": { const args = pop(); stack.push(call(pop(), args, op)); break; }
      case "BUILD": {
        const state = pop();
        const target = top();
        if (!(target instanceof PyDict)) fail(`BUILD of ${describe(target)}`);
        (target as PyDict).attributes = state;
        break;
      }
      case "BINPERSID": {
        if (!opts.persistentLoad) fail("a persistent id where none is expected");
        stack.push(opts.persistentLoad!(pop()));
        break;
      }
    }
  }
}
