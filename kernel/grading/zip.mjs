// A zip archive of a few files (deflated), as learning-management systems take them for upload.
// Node has deflate and CRC-32 built in; the zip container around them is a few fixed headers
// (PKWARE's APPNOTE: local file headers, then the central directory, then its end record).
import { writeFileSync } from "node:fs";
import { crc32, deflateRawSync } from "node:zlib";

// 1980-01-01 00:00 in MS-DOS time: fixed, so the same files give the same archive.
const DOS_TIME = 0;
const DOS_DATE = (1 << 5) | 1;
const UTF8_NAMES = 1 << 11;

/**
 * The fields a local header and a central-directory entry share, in the same order: version
 * needed, flags, method, time, date, CRC, sizes, name length. Returns the offset after them.
 */
function entryFields(header, at, { crc, packed, size, nameLength }) {
  header.writeUInt16LE(20, at); // version needed: 2.0 (deflate)
  header.writeUInt16LE(UTF8_NAMES, at + 2);
  header.writeUInt16LE(8, at + 4); // method: deflate
  header.writeUInt16LE(DOS_TIME, at + 6);
  header.writeUInt16LE(DOS_DATE, at + 8);
  header.writeUInt32LE(crc, at + 10);
  header.writeUInt32LE(packed, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}

/** Writes `files` ({ path, data }) into a zip at `target`. */
export function writeZip(target, files) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { path, data } of files) {
    const name = Buffer.from(path.replaceAll("\\", "/"), "utf8");
    const packed = deflateRawSync(data, { level: 9 });
    const entry = { crc: crc32(data), packed: packed.length, size: data.length, nameLength: name.length };
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    entryFields(local, 4, entry);
    locals.push(local, name, packed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by: 2.0
    entryFields(central, 6, entry);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(target, Buffer.concat([...locals, directory, end]));
}
