/**
 * Reading the zip archive that `torch.save` writes (PyTorch's default since 1.6): entries are
 * stored uncompressed, so reading one is finding its bytes through the central directory
 * (PKWARE's APPNOTE) and checking its CRC-32. Every offset and size is checked against the
 * file's length before it is used.
 */
import { FileFormatError } from "../errors.js";

const END_OF_DIRECTORY = 0x06054b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

export interface ZipEntry {
  name: string;
  /** The entry's bytes: a view into the file, no copy. */
  data: Uint8Array;
}

/** Whether `bytes` starts like a zip archive. */
export const isZip = (bytes: Uint8Array): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** The entries of the archive in `bytes`, by name. */
export function readZip(bytes: Uint8Array, where: string): Map<string, ZipEntry> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fail = (what: string): never => {
    throw new FileFormatError(`${where}: the zip archive is damaged or cut short (${what}; the file has ${bytes.length} bytes)`);
  };
  // The end record sits in the last 22 bytes plus at most a 65535-byte comment.
  let end = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === END_OF_DIRECTORY) {
      end = i;
      break;
    }
  }
  if (end < 0) fail("no end-of-directory record");
  const count = view.getUint16(end + 10, true);
  const dirSize = view.getUint32(end + 12, true);
  const dirStart = view.getUint32(end + 16, true);
  if (count === 0xffff || dirStart === 0xffffffff) {
    throw new FileFormatError(`${where}: this is a zip64 archive (over 4 GB or 65535 entries), larger than seqlab reads`);
  }
  if (dirStart + dirSize > end) fail(`the directory claims bytes ${dirStart}…${dirStart + dirSize}`);

  const entries = new Map<string, ZipEntry>();
  const names = new TextDecoder("utf-8", { fatal: false });
  let at = dirStart;
  for (let n = 0; n < count; n++) {
    if (at + 46 > end || view.getUint32(at, true) !== DIRECTORY_ENTRY) fail(`directory entry ${n} is missing`);
    const method = view.getUint16(at + 10, true);
    const crc = view.getUint32(at + 16, true);
    const packed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    if (at + 46 + skip > end) fail(`directory entry ${n} runs past the directory`);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    at += 46 + skip;

    if (method !== 0) {
      throw new FileFormatError(`${where}: entry ${JSON.stringify(name)} is compressed (method ${method}); PyTorch stores entries uncompressed, so this archive was not written by torch.save`);
    }
    if (local + 30 > bytes.length || view.getUint32(local, true) !== LOCAL_HEADER) fail(`the header of ${JSON.stringify(name)} is missing`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (packed !== size || start + size > bytes.length) fail(`${JSON.stringify(name)} claims ${size} bytes at ${start}`);
    const data = bytes.subarray(start, start + size);
    if (crc32(data) !== crc) fail(`${JSON.stringify(name)} does not match its CRC-32`);
    if (entries.has(name)) throw new FileFormatError(`${where}: the archive holds ${JSON.stringify(name)} twice`);
    entries.set(name, { name, data });
  }
  return entries;
}

/**
 * A zip archive of `entries`, stored uncompressed as torch.save writes them, each entry's data
 * starting at a multiple of 64 bytes (padding in the local header's extra field, as PyTorch
 * does) so a reader may map tensors straight from the file.
 */
export function writeZip(entries: readonly { name: string; data: Uint8Array }[], where: string): Uint8Array {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const directory: Uint8Array[] = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = encoder.encode(name);
    const crc = crc32(data);
    // 30-byte header + name + an extra field of 4 bytes + padding: data begins at a multiple of 64.
    const padding = (64 - ((offset + 30 + nameBytes.length + 4) % 64)) % 64;
    const local = new Uint8Array(30 + nameBytes.length + 4 + padding);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, LOCAL_HEADER, true);
    lv.setUint16(4, 10, true); // version needed: 1.0 (stored)
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    lv.setUint16(28, 4 + padding, true);
    local.set(nameBytes, 30);
    lv.setUint16(30 + nameBytes.length, 0x4246, true); // "FB": PyTorch's padding field
    lv.setUint16(32 + nameBytes.length, padding, true);

    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, DIRECTORY_ENTRY, true);
    cv.setUint16(4, 10, true);
    cv.setUint16(6, 10, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);

    parts.push(local, data);
    directory.push(central);
    offset += local.length + data.length;
    if (offset > 0xffffffff || entries.length > 0xfffe) throw new RangeError(`${where}: the archive would pass 4 GB or 65535 entries, beyond what seqlab writes (zip64)`);
  }
  const dirSize = directory.reduce((n, d) => n + d.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, END_OF_DIRECTORY, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let at = 0;
  for (const p of [...parts, ...directory, end]) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
