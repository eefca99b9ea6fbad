/**
 * Text for values, as Node's util.inspect and util.format write it (the part that notebooks
 * see): tslab prints a cell's last value and console.log's arguments with them, and seqlab's
 * tensors, modules and plot payloads customise it through Symbol.for("nodejs.util.inspect.custom").
 * The browser has no util module, so the worker formats with this.
 */
const CUSTOM = Symbol.for("nodejs.util.inspect.custom");
const MAX_ITEMS = 100;
const MAX_DEPTH = 2;
const LINE = 72;

type Custom = (depth: number, options: object, inspect: (v: unknown) => string) => unknown;

const IDENT = /^[A-Za-z_$][\w$]*$/;

function quote(s: string): string {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  return q + s.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(new RegExp(q, "g"), `\\${q}`) + q;
}

function wrap(prefix: string, items: string[], open: string, close: string, indent: string): string {
  if (items.length === 0) return `${prefix}${open}${close}`;
  const flat = `${prefix}${open} ${items.join(", ")} ${close}`;
  if (flat.length <= LINE && !flat.includes("\n")) return flat;
  const inner = indent + "  ";
  return `${prefix}${open}\n${items.map((i) => inner + i.replace(/\n/g, `\n${inner}`)).join(",\n")}\n${indent}${close}`;
}

function format(value: unknown, depth: number, seen: Set<object>, top: boolean): string {
  switch (typeof value) {
    case "string":
      return top ? value : quote(value);
    case "number":
      return Object.is(value, -0) ? "-0" : String(value);
    case "bigint":
      return `${value}n`;
    case "boolean":
    case "undefined":
      return String(value);
    case "symbol":
      return value.toString();
    case "function": {
      const src = Function.prototype.toString.call(value);
      const name = (value as { name?: string }).name;
      if (src.startsWith("class")) return `[class ${name || "(anonymous)"}]`;
      return name ? `[Function: ${name}]` : "[Function (anonymous)]";
    }
  }
  if (value === null) return "null";
  const obj = value as Record<PropertyKey, unknown>;
  const custom = obj[CUSTOM];
  if (typeof custom === "function") {
    const out = (custom as Custom).call(obj, MAX_DEPTH - depth, {}, (v) => inspect(v));
    return typeof out === "string" ? out : format(out, depth, seen, false);
  }
  if (seen.has(obj)) return "[Circular]";
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "Invalid Date" : value.toISOString();
  if (value instanceof RegExp) return value.toString();
  if (value instanceof Promise) return "Promise { <pending> }";
  const nested = (v: unknown): string => format(v, depth + 1, seen, false);
  const indent = "";
  seen.add(obj);
  try {
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      const arr = value as ArrayLike<unknown>;
      const isTyped = ArrayBuffer.isView(value) && !(value instanceof DataView);
      const prefix = isTyped ? `${value.constructor.name}(${arr.length}) ` : Array.isArray(value) && value.constructor !== Array ? `${value.constructor.name}(${arr.length}) ` : "";
      if (depth > MAX_DEPTH) return isTyped ? `[${value.constructor.name}]` : "[Array]";
      const items: string[] = [];
      for (let i = 0; i < Math.min(arr.length, MAX_ITEMS); i++) items.push(i in (arr as object) ? nested(arr[i]) : "<empty>");
      if (arr.length > MAX_ITEMS) items.push(`... ${arr.length - MAX_ITEMS} more item${arr.length - MAX_ITEMS > 1 ? "s" : ""}`);
      return wrap(prefix, items, "[", "]", indent);
    }
    if (value instanceof Map) {
      if (depth > MAX_DEPTH) return "[Map]";
      return wrap(`Map(${value.size}) `, [...value].map(([k, v]) => `${nested(k)} => ${nested(v)}`), "{", "}", indent);
    }
    if (value instanceof Set) {
      if (depth > MAX_DEPTH) return "[Set]";
      return wrap(`Set(${value.size}) `, [...value].map(nested), "{", "}", indent);
    }
    const proto = Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null;
    const ctor = proto === null ? "[Object: null prototype]" : proto.constructor?.name;
    const prefix = ctor && ctor !== "Object" ? `${ctor} ` : "";
    if (depth > MAX_DEPTH) return prefix ? `[${ctor}]` : "[Object]";
    const items = Object.keys(obj).map((k) => `${IDENT.test(k) ? k : quote(k)}: ${nested(obj[k])}`);
    return wrap(prefix, items, "{", "}", indent);
  } finally {
    seen.delete(obj);
  }
}

/** util.inspect(value) for the values notebooks print. */
export function inspect(value: unknown): string {
  return format(value, 0, new Set(), false);
}

/** util.format(...args): console.log's text, with %s %d %i %f %j %o %O %c in a first string. */
export function formatArgs(args: readonly unknown[]): string {
  const rest = [...args];
  let head = "";
  if (typeof rest[0] === "string" && rest.length > 1 && /%[sdifjoOc%]/.test(rest[0])) {
    const fmt = rest.shift() as string;
    head = fmt.replace(/%([sdifjoOc%])/g, (m, k: string) => {
      if (k === "%") return "%";
      if (rest.length === 0) return m;
      const v = rest.shift();
      switch (k) {
        case "s":
          return typeof v === "string" ? v : inspect(v);
        case "d":
        case "i": {
          const n = Number(v);
          return String(k === "i" ? Math.trunc(n) : n);
        }
        case "f":
          return String(Number.parseFloat(String(v)));
        case "j":
          return JSON.stringify(v);
        case "c":
          return "";
        default:
          return inspect(v);
      }
    });
    return [head, ...rest.map((v) => format(v, 0, new Set(), true))].join(" ");
  }
  return rest.map((v) => format(v, 0, new Set(), true)).join(" ");
}
