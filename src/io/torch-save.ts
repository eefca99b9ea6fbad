/**
 * Writing a state dict in PyTorch's own zip format, so `torch.load(path)` opens it with no
 * package beyond torch. The pickle is the one torch.save writes for a state dict and nothing
 * more: an OrderedDict of `torch._utils._rebuild_tensor_v2` calls, each tensor's storage a
 * persistent id ('storage', torch.FloatStorage, key, 'cpu', numel) whose bytes are the archive's
 * `data/<key>` entry. It names no global that `load` would refuse.
 */
import { littleEndianBytes } from "./dtypes.js";
import { writeZip } from "./zip.js";

export interface TorchEntry {
  name: string;
  shape: readonly number[];
  data: Float32Array | Float64Array;
}

/** Pickle opcodes (Python's pickletools names), protocol 2. */
const OP = {
  PROTO: 0x80, GLOBAL: 0x63, MARK: 0x28, TUPLE: 0x74, EMPTY_TUPLE: 0x29, REDUCE: 0x52, BINPERSID: 0x51,
  BINUNICODE: 0x58, BININT: 0x4a, LONG1: 0x8a, NEWFALSE: 0x89, SETITEMS: 0x75, STOP: 0x2e,
} as const;

class PickleBytes {
  private bytes: number[] = [];
  private readonly encoder = new TextEncoder();
  op(code: number): this {
    this.bytes.push(code);
    return this;
  }
  global(module: string, name: string): this {
    this.op(OP.GLOBAL).bytes.push(...this.encoder.encode(`${module}\n${name}\n`));
    return this;
  }
  string(s: string): this {
    const utf8 = this.encoder.encode(s);
    this.op(OP.BINUNICODE).u32(utf8.length).bytes.push(...utf8);
    return this;
  }
  int(n: number): this {
    if (n <= 0x7fffffff) return this.op(OP.BININT).u32(n);
    // Counts past 2^31: LONG1 with 8 little-endian bytes (sign bit clear for counts below 2^63).
    this.op(OP.LONG1).bytes.push(8);
    let v = BigInt(n);
    for (let i = 0; i < 8; i++, v >>= 8n) this.bytes.push(Number(v & 0xffn));
    return this;
  }
  tuple(items: readonly number[]): this {
    if (items.length === 0) return this.op(OP.EMPTY_TUPLE);
    this.op(OP.MARK);
    for (const n of items) this.int(n);
    return this.op(OP.TUPLE);
  }
  private u32(n: number): this {
    this.bytes.push(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

/** Row-major strides of a contiguous tensor of `shape`, as PyTorch computes them. */
const contiguousStrides = (shape: readonly number[]): number[] => {
  const out = new Array<number>(shape.length).fill(1);
  for (let d = shape.length - 2; d >= 0; d--) out[d] = out[d + 1]! * Math.max(1, shape[d + 1]!);
  return out;
};

/** The bytes of a torch.save file holding `entries`, in order. */
export function writeTorch(entries: readonly TorchEntry[], where: string): Uint8Array {
  const p = new PickleBytes().op(OP.PROTO).op(2);
  p.global("collections", "OrderedDict").op(OP.EMPTY_TUPLE).op(OP.REDUCE).op(OP.MARK);
  entries.forEach((e, key) => {
    p.string(e.name);
    p.global("torch._utils", "_rebuild_tensor_v2").op(OP.MARK);
    p.op(OP.MARK).string("storage").global("torch", e.data instanceof Float64Array ? "DoubleStorage" : "FloatStorage");
    p.string(String(key)).string("cpu").int(e.data.length).op(OP.TUPLE).op(OP.BINPERSID);
    p.int(0).tuple(e.shape).tuple(contiguousStrides(e.shape)).op(OP.NEWFALSE);
    p.global("collections", "OrderedDict").op(OP.EMPTY_TUPLE).op(OP.REDUCE); // backward hooks: none
    p.op(OP.TUPLE).op(OP.REDUCE);
  });
  p.op(OP.SETITEMS).op(OP.STOP);

  const text = (s: string) => new TextEncoder().encode(s);
  return writeZip([
    { name: "archive/data.pkl", data: p.done() },
    { name: "archive/byteorder", data: text("little") },
    ...entries.map((e, key) => ({ name: `archive/data/${key}`, data: littleEndianBytes(e.data) })),
    { name: "archive/version", data: text("3\n") },
  ], where);
}
