/**
 * safetensors, Hugging Face's format for tensors and nothing else (so there is no code to run):
 * an 8-byte little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}`
 * with an optional `__metadata__` of strings, padded with spaces to 8 bytes, then the raw
 * little-endian bytes of each tensor back to back.
 */
import { FileFormatError, fmtShape } from "../errors.js";
import { MAX_ELEMENTS, Tensor } from "../tensor.js";
import { FILE_DTYPES, decodeElements, isFileDType, littleEndianBytes, type FileDType } from "./dtypes.js";

/** The format's own cap on the header, so a hostile length is refused before anything is read. */
const MAX_HEADER = 100_000_000;

/**
 * Whether `bytes` looks like safetensors: its JSON header opens at byte 8. The length before it
 * is not judged here, so a file claiming an absurd header is refused with that reason.
 */
export const isSafetensors = (bytes: Uint8Array): boolean => bytes.length >= 9 && bytes[8] === 0x7b; // "{"

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * JSON.parse keeps the last of two equal keys without a word; a header with a tensor named twice
 * must be refused, so the header is parsed here, refusing duplicates.
 */
function parseJson(source: string, fail: (why: string) => never): Json {
  let at = 0;
  const space = () => {
    while (at < source.length && " \t\n\r".includes(source[at]!)) at++;
  };
  const value = (): Json => {
    space();
    const c = source[at];
    if (c === "{") {
      at++;
      // No prototype: a tensor named "__proto__" is a name like any other.
      const obj = Object.create(null) as { [key: string]: Json };
      space();
      if (source[at] === "}") return at++, obj;
      for (;;) {
        space();
        const key = value();
        if (typeof key !== "string") fail("a header key that is not a string");
        space();
        if (source[at++] !== ":") fail(`no ":" after ${JSON.stringify(key)} in the header`);
        if (Object.hasOwn(obj, key as string)) fail(`the header names ${JSON.stringify(key)} twice`);
        obj[key as string] = value();
        space();
        const next = source[at++];
        if (next === "}") return obj;
        if (next !== ",") fail("a header that is not valid JSON");
      }
    }
    if (c === "[") {
      at++;
      const list: Json[] = [];
      space();
      if (source[at] === "]") return at++, list;
      for (;;) {
        list.push(value());
        space();
        const next = source[at++];
        if (next === "]") return list;
        if (next !== ",") fail("a header that is not valid JSON");
      }
    }
    // Strings, numbers and literals have no duplicates to hide: JSON.parse reads them.
    const match = /^(?:"(?:[^"\\\u0000-\u001f]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(source.slice(at, at + 100_000));
    if (!match) return fail("a header that is not valid JSON");
    at += match[0].length;
    try {
      return JSON.parse(match[0]) as Json;
    } catch {
      return fail("a header that is not valid JSON");
    }
  };
  const out = value();
  space();
  if (at !== source.length) fail("text after the header's JSON");
  return out;
}

/** The tensors of a safetensors file, in the order of their data. */
export function readSafetensors(bytes: Uint8Array, where: string): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fail = (why: string): never => {
    throw new FileFormatError(`${where}: not a safetensors file this reader understands (${why})`);
  };
  if (bytes.length < 8) fail(`the file has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(Math.min(MAX_HEADER, bytes.length - 8))) {
    fail(`the header claims ${claimed} bytes; the file has ${bytes.length - 8} after the length${claimed > MAX_HEADER ? `, and the format allows at most ${MAX_HEADER}` : ""}`);
  }
  const headerLength = Number(claimed);
  let text = "";
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + headerLength));
  } catch {
    fail("a header that is not UTF-8 text");
  }
  const header = parseJson(text, fail);
  if (typeof header !== "object" || header === null || Array.isArray(header)) return fail("a header that is not a JSON object");

  const data = bytes.subarray(8 + headerLength);
  let metadata: Record<string, string> = {};
  const entries: { name: string; dtype: FileDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, entry] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (typeof entry !== "object" || entry === null || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === "string")) {
        fail("__metadata__ is not an object of strings");
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return fail(`the entry of ${JSON.stringify(name)} is not an object`);
    const { dtype, shape, data_offsets: offsets } = entry;
    if (!isFileDType(dtype)) {
      throw new FileFormatError(`${where}: tensor ${JSON.stringify(name)} has dtype ${JSON.stringify(dtype)}; seqlab reads ${Object.keys(FILE_DTYPES).join(", ")}`);
    }
    const isCount = (v: Json) => typeof v === "number" && Number.isInteger(v) && v >= 0;
    if (!Array.isArray(shape) || !shape.every(isCount)) return fail(`the shape of ${JSON.stringify(name)} is not a list of whole numbers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) return fail(`the data_offsets of ${JSON.stringify(name)} are not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    const numel = (shape as number[]).reduce((a, b) => a * b, 1);
    if (numel > MAX_ELEMENTS) fail(`tensor ${JSON.stringify(name)} of shape ${fmtShape(shape as number[])} has more than the ${MAX_ELEMENTS} elements seqlab allows`);
    if (end < begin || end - begin !== numel * FILE_DTYPES[dtype].bytes) {
      fail(`tensor ${JSON.stringify(name)} of shape ${fmtShape(shape as number[])} and dtype ${dtype} needs ${numel * FILE_DTYPES[dtype].bytes} bytes, its data_offsets give ${end - begin}`);
    }
    entries.push({ name, dtype, shape: shape as number[], begin, end });
  }
  // The format has no holes and no overlaps: each tensor starts where the previous ended.
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of entries) {
    if (e.begin !== expected) fail(`tensor ${JSON.stringify(e.name)} starts at byte ${e.begin} of the data, the one before it ends at ${expected}`);
    expected = e.end;
  }
  if (expected !== data.length) fail(`the tensors fill ${expected} bytes of data, the file has ${data.length} (cut short or with bytes after them)`);

  const tensors: Record<string, Tensor> = {};
  for (const e of entries) {
    const values = decodeElements(data.subarray(e.begin, e.end), e.dtype, (e.end - e.begin) / FILE_DTYPES[e.dtype].bytes, `${where}: tensor ${JSON.stringify(e.name)}`);
    // defineProperty: a tensor named "__proto__" must be a key, not the object's prototype.
    Object.defineProperty(tensors, e.name, { value: new Tensor(values, e.shape), enumerable: true, writable: true, configurable: true });
  }
  return { tensors, metadata };
}

export interface SafetensorsEntry {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** The bytes of a safetensors file holding `entries` and `metadata`. */
export function writeSafetensors(entries: readonly SafetensorsEntry[], metadata: Readonly<Record<string, string>>): Uint8Array {
  // Wider elements first, then by name: every tensor starts aligned to its element size.
  const ordered = [...entries].sort((a, b) => b.data.BYTES_PER_ELEMENT - a.data.BYTES_PER_ELEMENT || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const e of ordered) {
    const dtype = e.data instanceof Float64Array ? "F64" : "F32";
    header[e.name] = { dtype, shape: e.shape, data_offsets: [offset, offset + e.data.byteLength] };
    offset += e.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + padded + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(padded), true);
  out.fill(0x20, 8, 8 + padded);
  out.set(json, 8);
  let at = 8 + padded;
  for (const e of ordered) {
    out.set(littleEndianBytes(e.data), at);
    at += e.data.byteLength;
  }
  return out;
}
