/**
 * Model files in and out, with PyTorch's names: `load` reads what `torch.save(model.state_dict())`
 * writes, and safetensors; `save` writes safetensors, which PyTorch, Hugging Face and seqlab all
 * read without running anything from the file.
 */
import { FileFormatError, OptionError } from "../errors.js";
import { checkStateDict, type StateDict } from "../nn/module.js";
import { oneOf, optionsObject } from "../options.js";
import { Tensor } from "../tensor.js";
import { readSource, writeTarget, type FileSource } from "./files.js";
import { isSafetensors, readSafetensors, writeSafetensors, type SafetensorsEntry } from "./safetensors.js";
import { writeTorch } from "./torch-save.js";
import { readTorch } from "./torch.js";
import { isZip } from "./zip.js";

export type { FileSource } from "./files.js";

/**
 * The tensors in a model file, by name, ready for `module.loadStateDict(...)`.
 *
 * `source` is a path (Node and tslab; relative to the notebook) or the file's bytes (anywhere,
 * e.g. from `fetch`). The format is told by the file's first bytes: PyTorch's zip or older
 * format, or safetensors. float16 and bfloat16 tensors load as float32, int64 as float64 (exact
 * values only); a checkpoint that nests state dicts (`{"model": …, "optimizer": …}`) gives dotted
 * names (`model.rnn.weight_ih_l0`), and numbers or strings beside its tensors are left out.
 * Anything else in a PyTorch file (a pickled model class, a call to any Python function) is
 * refused: unlike `torch.load`, nothing in the file can run.
 */
export function load(source: FileSource): Record<string, Tensor> {
  const where = typeof source === "string" ? `load(${JSON.stringify(source)})` : "load";
  const bytes = readSource(source, "load");
  if (bytes.length === 0) throw new FileFormatError(`${where}: the file is empty`);
  // A zip's first bytes are "PK\x03\x04"; a pickle's 0x80, which a safetensors header length may
  // also start with, so safetensors (JSON at byte 8) is asked second.
  if (isZip(bytes)) return readTorch(bytes, where);
  if (isSafetensors(bytes)) return readSafetensors(bytes, where).tensors;
  if (bytes[0] === 0x80) return readTorch(bytes, where);
  const start = new TextDecoder("latin1").decode(bytes.subarray(0, 12));
  throw new FileFormatError(
    `${where}: not a model file: expected PyTorch's torch.save format (a zip archive, or a pickle) or safetensors, ` +
    `but the file starts with ${JSON.stringify(start)}`,
  );
}

export const SAVE_FORMATS = ["safetensors", "pt"] as const;
export type SaveFormat = (typeof SAVE_FORMATS)[number];

export interface SaveOptions {
  /**
   * "safetensors" (the default: no code in it, read by PyTorch's `safetensors.torch.load_file`
   * and by Hugging Face), or "pt": PyTorch's own zip format, for `torch.load(path)` with nothing
   * but torch installed.
   */
  format?: SaveFormat;
  /** Strings stored in a safetensors file's `__metadata__` (`format: "pt"` is added, as PyTorch's writers do). */
  metadata?: Record<string, string>;
}

/**
 * Writes `stateDict` (e.g. `model.stateDict()`) as safetensors (or PyTorch's format) to the path
 * `target`, or returns the file's bytes when `target` is left out (in a browser). seqlab reads
 * either with `load`. float32 tensors stay float32, float64 float64.
 */
export function save(stateDict: StateDict, target?: string, opts: SaveOptions = {}): Uint8Array | undefined {
  const where = "save";
  checkStateDict(where, stateDict);
  optionsObject(where, opts, '{ format: "safetensors" }');
  if ((opts.format as unknown) === "onnx") {
    throw new OptionError(`${where}: format must be one of ${SAVE_FORMATS.map((f) => JSON.stringify(f)).join(", ")}, got "onnx" (ONNX: exportOnnx(model, exampleInput, target) writes a model with its graph)`);
  }
  const format = oneOf(where, "format", opts.format, SAVE_FORMATS, "safetensors");
  if (format === "pt" && opts.metadata !== undefined) throw new OptionError(`${where}: metadata is stored only in safetensors files; leave it out with format "pt"`);
  const metadata = { format: "pt", ...checkMetadata(opts.metadata, where) };
  if (format === "safetensors" && Object.hasOwn(stateDict, "__metadata__")) throw new OptionError(`${where}: "__metadata__" is the one name safetensors keeps for itself; rename that tensor`);
  const entries: SafetensorsEntry[] = Object.entries(stateDict).map(([name, value]) => entry(name, value, where));
  const bytes = format === "pt" ? writeTorch(entries, where) : writeSafetensors(entries, metadata);
  return writeTarget(bytes, target, where);
}

function checkMetadata(metadata: unknown, where: string): Record<string, string> {
  if (metadata === undefined) return {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new OptionError(`${where}: metadata must be an object of strings, got ${metadata === null ? "null" : Array.isArray(metadata) ? "an array" : typeof metadata}`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== "string") throw new OptionError(`${where}: metadata.${k} must be a string (safetensors stores only strings), got ${typeof v}`);
  }
  return metadata as Record<string, string>;
}

function entry(name: string, value: unknown, where: string): SafetensorsEntry {
  if (value instanceof Tensor) return { name, shape: value.shape, data: value.data };
  if (typeof value === "object" && value !== null && "shape" in value && "data" in value) {
    const { shape, data } = value as { shape: unknown; data: unknown };
    if (!Array.isArray(shape) || !shape.every((n) => Number.isInteger(n) && n >= 0)) {
      throw new TypeError(`${where}: ${name}: shape must be a list of whole numbers, got ${JSON.stringify(shape)}`);
    }
    const numel = shape.reduce((a: number, b: number) => a * b, 1);
    const values = data instanceof Float64Array ? data : data instanceof Float32Array ? data : Array.isArray(data) && data.every((x) => typeof x === "number") ? Float32Array.from(data) : null;
    if (!values) throw new TypeError(`${where}: ${name}: data must be a Float32Array, Float64Array or an array of numbers`);
    if (values.length !== numel) throw new TypeError(`${where}: ${name}: shape (${shape.join(", ")}) holds ${numel} numbers, data has ${values.length}`);
    return { name, shape, data: values };
  }
  throw new TypeError(`${where}: ${name}: expected a tensor or { shape, data }, got ${value === null ? "null" : typeof value}`);
}
