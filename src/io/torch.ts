/**
 * Reading what `torch.save(model.state_dict(), f)` writes, in both of PyTorch's layouts:
 *
 * - zip (PyTorch ≥ 1.6): `<name>/data.pkl` is a pickle whose tensors refer to storages by key,
 *   each storage's bytes in `<name>/data/<key>`;
 * - the older layout: five pickles in a row (a magic number, the protocol 1001, system info, the
 *   object, the storage keys), then each storage as an int64 element count and its bytes.
 *
 * A tensor is a view of a storage: an offset, a size and a stride, so non-contiguous tensors and
 * tensors that share one storage are read as PyTorch wrote them. Everything is checked against
 * the file's length before anything the size of a claim is allocated.
 */
import { FileFormatError, fmtShape } from "../errors.js";
import { MAX_ELEMENTS, Tensor } from "../tensor.js";
import { FILE_DTYPES, decodeElements, type FileDType } from "./dtypes.js";
import { PyDict, PyGlobal, PyOpaque, PyTuple, unpickle, type PyValue } from "./pickle.js";
import { isZip, readZip } from "./zip.js";

interface Storage {
  key: string;
  dtype: FileDType;
  numel: number;
  bytes?: Uint8Array;
  decoded?: Float32Array | Float64Array;
}

interface TensorView {
  storage: Storage;
  offset: number;
  size: number[];
  stride: number[];
}

// PyTorch's typed storages, as torch.save names them; null: a dtype seqlab does not read.
const STORAGES: Record<string, FileDType | null> = {
  FloatStorage: "F32", DoubleStorage: "F64", HalfStorage: "F16", BFloat16Storage: "BF16", LongStorage: "I64",
  IntStorage: null, ShortStorage: null, CharStorage: null, ByteStorage: null, BoolStorage: null,
  ComplexFloatStorage: null, ComplexDoubleStorage: null,
};
const STORAGE_DTYPE_NAMES: Record<string, string> = {
  IntStorage: "int32", ShortStorage: "int16", CharStorage: "int8", ByteStorage: "uint8", BoolStorage: "bool",
  ComplexFloatStorage: "complex64", ComplexDoubleStorage: "complex128",
};

const LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;
const LEGACY_PROTOCOL = 1001;

const isCount = (v: PyValue): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

function counts(v: PyValue, what: string, fail: (why: string) => never): number[] {
  if (!(v instanceof PyTuple) || !v.items.every(isCount)) return fail(`${what} is not a tuple of whole numbers`);
  return v.items as number[];
}

/** The state dict in a `torch.save` file (`bytes`), flattened to dotted names. */
export function readTorch(bytes: Uint8Array, where: string): Record<string, Tensor> {
  const fail = (why: string): never => {
    throw new FileFormatError(`${where}: not a PyTorch state dict this reader understands (${why})`);
  };
  const storages = new Map<string, Storage>();

  const persistentLoad = (pid: PyValue): PyValue => {
    // ('storage', storage type, key, location, element count[, view metadata in the older layout])
    if (!(pid instanceof PyTuple) || pid.items[0] !== "storage" || pid.items.length < 5) return fail("a persistent id that is not a storage");
    const [, type, key, , numel, view] = pid.items;
    if (!(type instanceof PyGlobal) || type.module !== "torch" || !(type.name in STORAGES)) return fail("a storage without a storage type");
    const dtype = STORAGES[type.name];
    if (!dtype) {
      throw new FileFormatError(`${where}: a tensor is ${STORAGE_DTYPE_NAMES[type.name]}; seqlab reads float32, float64, float16, bfloat16 and int64 tensors`);
    }
    if (typeof key !== "string" || !isCount(numel!)) return fail("a storage without a key and size");
    if (view !== undefined && view !== null) return fail("a storage view from PyTorch before 1.0");
    const known = storages.get(key);
    if (known && (known.dtype !== dtype || known.numel !== numel)) return fail(`storage ${key} is named twice with different types or sizes`);
    const storage = known ?? { key, dtype, numel: numel as number };
    storages.set(key, storage);
    return new PyOpaque(storage);
  };

  const rebuild = (args: PyValue[]): PyValue => {
    const [storage, offset, size, stride] = args;
    if (!(storage instanceof PyOpaque) || !isCount(offset!)) return fail("a tensor without its storage and offset");
    return new PyOpaque<TensorView>({ storage: storage.value as Storage, offset: offset as number, size: counts(size!, "a size", fail), stride: counts(stride!, "a stride", fail) });
  };
  const globals = new Map<string, ((args: PyValue[]) => PyValue) | null>([
    ["collections.OrderedDict", (args) => (args.length === 0 ? new PyDict() : fail("an OrderedDict built from arguments"))],
    ["torch._utils._rebuild_tensor_v2", rebuild],
    ["torch._utils._rebuild_tensor", rebuild],
    // A state dict of nn.Parameter objects (some scripts save `dict(model.named_parameters())`).
    ["torch._utils._rebuild_parameter", (args) => args[0] ?? null],
    ...Object.keys(STORAGES).map((name): [string, null] => [`torch.${name}`, null]),
  ]);
  const pickle = (start: number, withStorages: boolean) =>
    unpickle(bytes, start, { where, globals: withStorages ? globals : new Map(), persistentLoad: withStorages ? persistentLoad : undefined });

  let root: PyValue;
  if (isZip(bytes)) {
    const entries = readZip(bytes, where);
    const pkl = [...entries.keys()].filter((n) => n === "data.pkl" || n.endsWith("/data.pkl"));
    if (pkl.length !== 1) fail(pkl.length ? "more than one data.pkl in the archive" : "a zip archive without data.pkl (a zip, but not from torch.save)");
    const prefix = pkl[0]!.slice(0, -"data.pkl".length);
    const order = entries.get(`${prefix}byteorder`);
    if (order && new TextDecoder().decode(order.data) !== "little") fail("a big-endian file");
    root = unpickle(entries.get(pkl[0]!)!.data, 0, { where, globals, persistentLoad }).value;
    for (const s of storages.values()) {
      const entry = entries.get(`${prefix}data/${s.key}`);
      if (!entry) return fail(`storage ${s.key} is missing from the archive`);
      s.bytes = entry.data;
    }
  } else {
    if (bytes[0] !== 0x80) fail("neither a zip archive nor a pickle: the file starts with " + JSON.stringify(new TextDecoder("latin1").decode(bytes.subarray(0, 8))));
    const magic = pickle(0, false);
    if (magic.value !== LEGACY_MAGIC) fail("a pickle, but not PyTorch's magic number");
    const protocol = pickle(magic.end, false);
    if (protocol.value !== LEGACY_PROTOCOL) fail(`PyTorch's older format with protocol ${String(protocol.value)} (expected ${LEGACY_PROTOCOL})`);
    const info = pickle(protocol.end, false);
    if (!(info.value instanceof PyDict) || info.value.items.get("little_endian") !== true) fail("a big-endian file");
    const object = pickle(info.end, true);
    root = object.value;
    const keys = pickle(object.end, false);
    if (!Array.isArray(keys.value) || !keys.value.every((k) => typeof k === "string")) fail("no list of storage keys");
    let at = keys.end;
    for (const key of keys.value as string[]) {
      const s = storages.get(key);
      if (!s) return fail(`storage ${key} is listed but no tensor uses it`);
      if (at + 8 > bytes.length) return fail(`the file is cut short before storage ${key}`);
      const numel = new DataView(bytes.buffer, bytes.byteOffset + at, 8).getBigInt64(0, true);
      const length = s.numel * FILE_DTYPES[s.dtype].bytes;
      if (numel !== BigInt(s.numel)) return fail(`storage ${key} claims ${numel} elements, its tensors ${s.numel}`);
      if (at + 8 + length > bytes.length) return fail(`the file is cut short: storage ${key} needs ${length} bytes, ${bytes.length - at - 8} are left`);
      s.bytes = bytes.subarray(at + 8, at + 8 + length);
      at += 8 + length;
    }
  }
  for (const s of storages.values()) {
    const length = s.numel * FILE_DTYPES[s.dtype].bytes;
    if (!s.bytes) return fail(`storage ${s.key} has no data`);
    if (s.bytes.length !== length) return fail(`storage ${s.key} holds ${s.bytes.length} bytes, its ${s.numel} ${FILE_DTYPES[s.dtype].torch} elements need ${length}`);
  }

  if (!(root instanceof PyDict)) {
    return fail(`the file holds ${root instanceof PyOpaque ? "a single tensor" : Array.isArray(root) ? "a list" : "something"}, not a dict of tensors (save model.state_dict(), not the model)`);
  }
  const views = new Map<string, TensorView>();
  flatten(root, "", views, new Set(), fail);
  const out: Record<string, Tensor> = {};
  for (const [name, view] of views) {
    // defineProperty: a tensor named "__proto__" must be a key, not the object's prototype.
    Object.defineProperty(out, name, { value: materialise(name, view, where), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Every tensor under `value`, by dotted name (nested dicts: a checkpoint holding several state dicts). */
function flatten(value: PyValue, prefix: string, out: Map<string, TensorView>, seen: Set<object>, fail: (why: string) => never): void {
  if (value instanceof PyOpaque) {
    out.set(prefix.slice(0, -1), value.value as TensorView);
    return;
  }
  const items = value instanceof PyDict ? [...value.items] : Array.isArray(value) ? value.map((v, i) => [i, v] as const) : value instanceof PyTuple ? value.items.map((v, i) => [i, v] as const) : null;
  // Numbers and strings beside the tensors (an epoch count, a name) are not tensors: left out.
  if (!items) return;
  if (seen.has(value as object)) fail("a structure that contains itself");
  seen.add(value as object);
  for (const [key, v] of items) {
    const name = `${prefix}${key}.`;
    if (v instanceof PyOpaque && out.has(name.slice(0, -1))) fail(`two tensors named ${name.slice(0, -1)}`);
    flatten(v, name, out, seen, fail);
  }
}

/** A contiguous tensor of `view`'s values, after checking the view stays inside its storage. */
function materialise(name: string, view: TensorView, where: string): Tensor {
  const { storage, offset, size, stride } = view;
  const fail = (why: string): never => {
    throw new FileFormatError(`${where}: tensor ${JSON.stringify(name)} ${why}`);
  };
  if (size.length !== stride.length) fail(`has size ${fmtShape(size)} but ${stride.length} strides`);
  const numel = size.reduce((a, b) => a * b, 1);
  if (numel > MAX_ELEMENTS) fail(`has ${numel} elements; seqlab allows at most ${MAX_ELEMENTS} per tensor`);
  const last = numel === 0 ? offset : size.reduce((a, n, i) => a + (n - 1) * stride[i]!, offset);
  if (numel > 0 && last >= storage.numel) fail(`of size ${fmtShape(size)}, stride (${stride.join(", ")}) and offset ${offset} reaches element ${last} of a storage of ${storage.numel}`);
  storage.decoded ??= decodeElements(storage.bytes!, storage.dtype, storage.numel, `${where}: tensor ${JSON.stringify(name)}`);
  const source = storage.decoded;
  const contiguous = size.every((n, d) => n === 1 || stride[d] === size.slice(d + 1).reduce((a, b) => a * b, 1));
  if (contiguous) return new Tensor(source.slice(offset, offset + numel), size);
  const data = source instanceof Float64Array ? new Float64Array(numel) : new Float32Array(numel);
  // Walk the view in row-major order, the last index fastest, as PyTorch's .contiguous() does.
  const index = new Array<number>(size.length).fill(0);
  let at = offset;
  for (let i = 0; i < numel; i++) {
    data[i] = source[at]!;
    for (let d = size.length - 1; d >= 0; d--) {
      if (++index[d]! < size[d]!) {
        at += stride[d]!;
        break;
      }
      at -= (size[d]! - 1) * stride[d]!;
      index[d] = 0;
    }
  }
  return new Tensor(data, size);
}
