/**
 * Where model files come from and go to: bytes everywhere, and paths where there is a file
 * system (Node, or a kernel that lends seqlab its own file reader and writer).
 */
import { FileFormatError } from "../errors.js";

/** What `load` reads: a path (Node, tslab, or a kernel with files), or the file's bytes. */
export type FileSource = string | Uint8Array | ArrayBuffer;

interface FileSystem {
  readFile(path: string): Uint8Array;
  /** Absent where files can only be read (the browser kernel reads the site's files). */
  writeFile?(path: string, data: Uint8Array): void;
}

/**
 * A kernel without Node (seqlab's browser kernel, in its Web Worker) installs its own reader
 * (and writer, if it has one) here: a symbol on globalThis, so neither side imports the other.
 */
const HOST_FILES = Symbol.for("seqlab.files");

interface NodeFs {
  readFileSync(path: string): Uint8Array;
  writeFileSync(path: string, data: Uint8Array): void;
  statSync(path: string): { isFile(): boolean; size: number };
}

function fileSystem(): FileSystem | null {
  const host = (globalThis as { [HOST_FILES]?: FileSystem })[HOST_FILES];
  if (host && typeof host.readFile === "function") return host;
  const proc = (globalThis as { process?: { getBuiltinModule?(id: string): unknown } }).process;
  const fs = proc?.getBuiltinModule?.("fs") as NodeFs | undefined;
  if (!fs) return null;
  return {
    readFile(path) {
      let stat;
      try {
        stat = fs.statSync(path);
      } catch {
        throw new FileFormatError(`load: no file at ${JSON.stringify(path)} (paths are relative to the notebook's folder)`);
      }
      if (!stat.isFile()) throw new FileFormatError(`load: ${JSON.stringify(path)} is a folder, not a file`);
      // A plain view, not Node's Buffer (whose slice() does not copy).
      const buffer = fs.readFileSync(path);
      return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    },
    writeFile: (path, data) => fs.writeFileSync(path, data),
  };
}

/** The bytes of `source`, as a view (no copy) where it already is bytes. */
export function readSource(source: unknown, where: string): Uint8Array {
  if (source instanceof Uint8Array) return source;
  if (source instanceof ArrayBuffer) return new Uint8Array(source);
  if (typeof source === "string") {
    if (source === "") throw new FileFormatError(`${where}: expected a path or the file's bytes, got an empty string`);
    const fs = fileSystem();
    if (!fs) throw new FileFormatError(`${where}: this kernel has no files to read ${JSON.stringify(source)} from; pass the file's bytes (a Uint8Array or ArrayBuffer) instead`);
    return fs.readFile(source);
  }
  const got = source === null ? "null" : ArrayBuffer.isView(source) ? source.constructor.name : typeof source;
  throw new TypeError(`${where}: expected a path (string) or the file's bytes (Uint8Array or ArrayBuffer), got ${got}`);
}

/** Writes `bytes` to the path `target`, or returns them when there is no target. */
export function writeTarget(bytes: Uint8Array, target: unknown, where: string): Uint8Array | undefined {
  if (target === undefined) return bytes;
  if (typeof target !== "string" || target === "") {
    throw new TypeError(`${where}: expected a path to write to (a non-empty string), or no target to get the bytes back, got ${target === "" ? "an empty string" : target === null ? "null" : typeof target}`);
  }
  const fs = fileSystem();
  if (!fs?.writeFile) throw new FileFormatError(`${where}: this kernel cannot write files (${JSON.stringify(target)}); leave the target out to get the bytes back`);
  fs.writeFile(target, bytes);
  return undefined;
}
