/**
 * The element types a model file may hold, and how each becomes one of seqlab's two dtypes.
 * Every conversion is exact: float16 and bfloat16 widen to float32, int64 to float64 only while
 * the value fits float64's 53-bit integers.
 */
import { FileFormatError } from "../errors.js";
import type { DType } from "../tensor.js";

/** Element types seqlab reads, by the name safetensors gives them. */
export type FileDType = "F64" | "F32" | "F16" | "BF16" | "I64";

export interface FileDTypeInfo {
  bytes: number;
  /** The seqlab dtype it loads as. */
  loadsAs: DType;
  /** PyTorch's name, for messages. */
  torch: string;
}

export const FILE_DTYPES: Readonly<Record<FileDType, FileDTypeInfo>> = {
  F64: { bytes: 8, loadsAs: "float64", torch: "float64" },
  F32: { bytes: 4, loadsAs: "float32", torch: "float32" },
  F16: { bytes: 2, loadsAs: "float32", torch: "float16" },
  BF16: { bytes: 2, loadsAs: "float32", torch: "bfloat16" },
  I64: { bytes: 8, loadsAs: "float64", torch: "int64" },
};

export const isFileDType = (s: unknown): s is FileDType => typeof s === "string" && Object.hasOwn(FILE_DTYPES, s);

/** Whether typed arrays here are little-endian, as files are (every platform seqlab runs on is). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** The bytes of `data` in little-endian order: a copy of its memory where the platform is little-endian. */
export function littleEndianBytes(data: Float32Array | Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    if (data instanceof Float64Array) view.setFloat64(8 * i, data[i]!, true);
    else view.setFloat32(4 * i, data[i]!, true);
  }
  return out;
}

/** IEEE half precision: sign, 5 exponent bits, 10 fraction bits. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 31) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * `count` elements of `dtype` read little-endian from `bytes` (any alignment) as a typed array of
 * the dtype they load as. `where` names the tensor in an error.
 */
export function decodeElements(bytes: Uint8Array, dtype: FileDType, count: number, where: string): Float32Array | Float64Array {
  // Where the platform is little-endian, float32/64 data is the file's bytes: one aligned copy.
  if (LITTLE_ENDIAN && (dtype === "F32" || dtype === "F64")) {
    const out = dtype === "F32" ? new Float32Array(count) : new Float64Array(count);
    new Uint8Array(out.buffer).set(bytes.subarray(0, out.byteLength));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case "F64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(8 * i, true);
      return out;
    }
    case "F32": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(4 * i, true);
      return out;
    }
    case "F16": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(2 * i, true));
      return out;
    }
    case "BF16": {
      // bfloat16 is the top half of a float32.
      const out = new Float32Array(count);
      const wide = new DataView(out.buffer);
      for (let i = 0; i < count; i++) wide.setUint32(4 * i, view.getUint16(2 * i, true) << 16, true);
      return out;
    }
    case "I64": {
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const v = view.getBigInt64(8 * i, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          throw new FileFormatError(`${where}: int64 value ${v} at element ${i} does not fit a float64 exactly (seqlab's tensors are float32 or float64)`);
        }
        out[i] = Number(v);
      }
      return out;
    }
  }
}
