// load() and save() on files seqlab writes or a test builds byte by byte: the safetensors layout,
// round trips, and each kind of bad or hostile file refused with a clear message before anything
// of the size it claims is allocated. Files written by real PyTorch: io-torch-files.test.ts.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FileFormatError, GRU, LSTM, Linear, OptionError, load, manualSeed, save, tensor } from "../../src/index.js";

const dir = mkdtempSync(join(tmpdir(), "seqlab-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors file from a header object and data bytes, laid out as the format says. */
function safetensors(header: unknown, data: Uint8Array = new Uint8Array(0), headerText = JSON.stringify(header)): Uint8Array {
  const json = new TextEncoder().encode(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function header(bytes: Uint8Array): { length: number; json: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }> & { __metadata__: Record<string, string> } } {
  const length = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  return { length, json: JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + length))) };
}

const names = (bytes: Uint8Array) => new TextDecoder("latin1").decode(bytes);

// Python's pickle opcodes, to build the files a hostile script would write.
const op = { PROTO: 0x80, GLOBAL: 0x63, SHORT_BINUNICODE: 0x8c, TUPLE1: 0x85, REDUCE: 0x52, STOP: 0x2e, EMPTY_DICT: 0x7d };
const ascii = (s: string) => [...new TextEncoder().encode(s)];
const shortString = (s: string) => [op.SHORT_BINUNICODE, s.length, ...ascii(s)];
const callGlobal = (module: string, name: string, arg: string) =>
  new Uint8Array([op.PROTO, 2, op.GLOBAL, ...ascii(`${module}\n${name}\n`), ...shortString(arg), op.TUPLE1, op.REDUCE, op.STOP]);

describe("save writes safetensors as the format lays it out", () => {
  manualSeed(0);
  const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
  const bytes = save(lstm.stateDict(), undefined, { metadata: { course: "seqlab" } })!;

  it("an 8-byte length, a JSON header padded to 8 bytes, __metadata__, data back to back", () => {
    const { length, json } = header(bytes);
    expect(length % 8).toBe(0);
    expect(json.__metadata__).toEqual({ format: "pt", course: "seqlab" });
    const names = Object.keys(lstm.stateDict());
    expect(Object.keys(json).filter((k) => k !== "__metadata__").sort()).toEqual([...names].sort());
    const spans = names.map((n) => json[n]!.data_offsets).sort((a, b) => a[0] - b[0]);
    expect(spans[0]![0]).toBe(0);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBe(spans[i - 1]![1]);
    expect(8 + length + spans.at(-1)![1]).toBe(bytes.length);
    for (const n of names) {
      expect(json[n]!.dtype).toBe("F32");
      expect(json[n]!.shape).toEqual(lstm.stateDict()[n]!.shape);
    }
  });

  it("load gives back identical tensors (float32 and float64), and a model that computes the same", () => {
    const back = load(bytes);
    for (const [name, t] of Object.entries(lstm.stateDict())) {
      expect(back[name]!.dtype).toBe("float32");
      expect(back[name]!.shape).toEqual(t.shape);
      expect(Array.from(back[name]!.data)).toEqual(Array.from(t.data));
    }
    const copy = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    copy.loadStateDict(back);
    const x = tensor([[[0.1, -0.2, 0.3]], [[0.5, 0.4, -0.6]]]);
    expect(Array.from(copy.forward(x)[0].data)).toEqual(Array.from(lstm.forward(x)[0].data));

    const gru = new GRU({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const wide = load(save(gru.stateDict())!);
    for (const [name, t] of Object.entries(gru.stateDict())) {
      expect(wide[name]!.dtype).toBe("float64");
      expect(Array.from(wide[name]!.data)).toEqual(Array.from(t.data));
    }
  });

  it("writes to a path and reads from it", () => {
    const path = join(dir, "linear.safetensors");
    const linear = new Linear({ inFeatures: 4, outFeatures: 2 });
    expect(save(linear.stateDict(), path)).toBeUndefined();
    expect(Buffer.compare(readFileSync(path), save(linear.stateDict())!)).toBe(0);
    expect(Array.from(load(path).weight!.data)).toEqual(Array.from(linear.weight.data));
    expect(Array.from(load(new Uint8Array(readFileSync(path)).buffer).bias!.data)).toEqual(Array.from(linear.bias!.data));
  });

  it("format \"pt\": PyTorch's zip layout, read back identically (torch.load reads it too: test/io/make-torch-files.py)", () => {
    const bytes = save(lstm.stateDict(), undefined, { format: "pt" })!;
    expect([...bytes.subarray(0, 4)]).toEqual([0x50, 0x4b, 0x03, 0x04]);
    const names = new TextDecoder("latin1").decode(bytes);
    for (const entry of ["archive/data.pkl", "archive/version", "archive/byteorder", "archive/data/0"]) expect(names).toContain(entry);
    const back = load(bytes);
    expect(Object.keys(back)).toEqual(Object.keys(lstm.stateDict()));
    for (const [name, t] of Object.entries(lstm.stateDict())) {
      expect(back[name]!.shape).toEqual(t.shape);
      expect(Array.from(back[name]!.data)).toEqual(Array.from(t.data));
    }
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, dtype: "float64" });
    const wide = load(save(gru.stateDict(), undefined, { format: "pt" })!);
    expect(wide.weight_hh_l0!.dtype).toBe("float64");
    expect(Array.from(wide.weight_hh_l0!.data)).toEqual(Array.from(gru.stateDict().weight_hh_l0!.data));
  });

  it("a damaged \"pt\" file is refused: a changed byte fails the CRC, a cut one the directory", () => {
    const bytes = save(new Linear({ inFeatures: 3, outFeatures: 2 }).stateDict(), undefined, { format: "pt" })!;
    const flipped = bytes.slice();
    // The first tensor's bytes: after its local header's name and padding, at a multiple of 64.
    const at = Math.ceil((names(flipped).indexOf("archive/data/0") + "archive/data/0".length + 4) / 64) * 64;
    flipped[at] = flipped[at]! ^ 0xff;
    expect(() => load(flipped)).toThrow(/damaged or cut short .* does not match its CRC-32/);
    expect(() => load(bytes.subarray(0, bytes.length - 30))).toThrow(/damaged or cut short \(no end-of-directory record/);
  });

  it("every element type seqlab reads: F16, BF16 and I64 widen exactly", () => {
    const data = new Uint8Array(2 + 2 + 8);
    const view = new DataView(data.buffer);
    view.setUint16(0, 0x3e00, true); // float16 1.5
    view.setUint16(2, 0xc049, true); // bfloat16 of -3.140625
    view.setBigInt64(4, -(2n ** 40n), true);
    const file = safetensors({
      h: { dtype: "F16", shape: [1], data_offsets: [0, 2] },
      b: { dtype: "BF16", shape: [1], data_offsets: [2, 4] },
      i: { dtype: "I64", shape: [], data_offsets: [4, 12] },
    }, data);
    const t = load(file);
    expect([t.h!.dtype, t.h!.data[0]]).toEqual(["float32", 1.5]);
    expect([t.b!.dtype, t.b!.data[0]]).toEqual(["float32", -3.140625]);
    expect([t.i!.dtype, t.i!.shape, t.i!.data[0]]).toEqual(["float64", [], -(2 ** 40)]);
  });
});

describe("bad files are refused with what was expected and what came", () => {
  const good = save(new Linear({ inFeatures: 3, outFeatures: 2 }).stateDict())!;

  it("a header that claims 10 GB: refused before anything that size is allocated", () => {
    const file = safetensors({}, new Uint8Array(16));
    new DataView(file.buffer).setBigUint64(0, 10_000_000_000n, true);
    const before = process.memoryUsage().arrayBuffers;
    expect(() => load(file)).toThrow(FileFormatError);
    expect(() => load(file)).toThrow(/header claims 10000000000 bytes; the file has \d+ after the length, and the format allows at most 100000000/);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(50_000_000);
  });

  it("a tensor whose shape claims a billion elements: refused, not allocated", () => {
    const file = safetensors({ w: { dtype: "F32", shape: [1_000_000, 1000], data_offsets: [0, 4_000_000_000] } }, new Uint8Array(8));
    expect(() => load(file)).toThrow(/tensor "w" of shape \(1000000, 1000\) has more than the \d+ elements seqlab allows/);
  });

  it("a name twice in the header (JSON.parse would keep the last one quietly)", () => {
    const text = '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(() => load(safetensors(null, new Uint8Array(4), text))).toThrow(/the header names "w" twice/);
  });

  it("an unknown dtype is named, with the ones seqlab reads", () => {
    const file = safetensors({ w: { dtype: "F8_E4M3", shape: [4], data_offsets: [0, 4] } }, new Uint8Array(4));
    expect(() => load(file)).toThrow(/tensor "w" has dtype "F8_E4M3"; seqlab reads F64, F32, F16, BF16, I64/);
  });

  it("cut short, holes and overlaps in the data, sizes that do not match the shape", () => {
    expect(() => load(good.subarray(0, good.length - 3))).toThrow(/the tensors fill \d+ bytes of data, the file has \d+/);
    expect(() => load(good.subarray(0, 5))).toThrow(FileFormatError);
    const w = (begin: number, end: number) => ({ dtype: "F32", shape: [1], data_offsets: [begin, end] });
    expect(() => load(safetensors({ a: w(0, 4), b: w(8, 12) }, new Uint8Array(12)))).toThrow(/tensor "b" starts at byte 8 of the data, the one before it ends at 4/);
    expect(() => load(safetensors({ a: w(0, 4), b: w(0, 4) }, new Uint8Array(4)))).toThrow(/starts at byte 0 of the data, the one before it ends at 4/);
    expect(() => load(safetensors({ a: { dtype: "F32", shape: [2], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/needs 8 bytes, its data_offsets give 4/);
    expect(() => load(safetensors({ a: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)))).toThrow(/shape of "a" is not a list of whole numbers/);
  });

  it("a tensor named __proto__ is a name like any other", () => {
    const t = load(safetensors(JSON.parse('{"__proto__":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}'), new Uint8Array(4)));
    expect(Object.hasOwn(t, "__proto__")).toBe(true);
  });

  it("not a model file at all, an empty file, no such path, a folder", () => {
    expect(() => load(new TextEncoder().encode("hello, this is text"))).toThrow(/not a model file: expected PyTorch's torch.save format \(a zip archive, or a pickle\) or safetensors, but the file starts with "hello, this "/);
    expect(() => load(new Uint8Array(0))).toThrow(/the file is empty/);
    expect(() => load(join(dir, "nothing-here.pt"))).toThrow(/no file at .*nothing-here\.pt/);
    expect(() => load(dir)).toThrow(/is a folder, not a file/);
    expect(() => load(42 as unknown as string)).toThrow(/expected a path \(string\) or the file's bytes \(Uint8Array or ArrayBuffer\), got number/);
  });
});

describe("a pickle made to run code is refused, and nothing runs", () => {
  const marker = join(dir, "pwned");

  it.each([
    ["posix", "system", `touch ${marker}`],
    ["builtins", "eval", `__import__('os').system('touch ${marker}')`],
    ["torch.nn.modules.linear", "Linear", "x"],
  ])("a pickle that calls %s.%s", (module, name, arg) => {
    const file = callGlobal(module, name, arg);
    expect(() => load(file)).toThrow(FileFormatError);
    expect(() => load(file)).toThrow(new RegExp(`refused: the file asks for the Python global ${module.replace(/\./g, "\\.")}\\.${name}, which a state dict never needs .* nothing was loaded`));
    expect(() => readFileSync(marker)).toThrow();
  });

  it("an opcode a state dict never uses (INST builds any class)", () => {
    const file = new Uint8Array([op.PROTO, 2, 0x69, ...ascii("os\nsystem\n"), op.STOP]);
    expect(() => load(file)).toThrow(/opcode 0x69 \("i"\), which a state dict does not use/);
  });

  it("a dict that names one key twice (Python would keep the last quietly)", () => {
    const magic = [op.PROTO, 2, 0x8a, 10, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19, op.STOP];
    const protocol = [op.PROTO, 2, 0x4d, 0xe9, 0x03, op.STOP]; // BININT2 1001
    const info = [op.PROTO, 2, op.EMPTY_DICT, ...shortString("little_endian"), 0x88, 0x73, op.STOP]; // NEWTRUE SETITEM
    const twice = [op.PROTO, 2, op.EMPTY_DICT, 0x28, ...shortString("w"), 0x4e, ...shortString("w"), 0x4e, 0x75, op.STOP]; // MARK … NONE … SETITEMS
    expect(() => load(new Uint8Array([...magic, ...protocol, ...info, ...twice]))).toThrow(/the key "w" twice in one dict/);
  });

  it("a pickle that is not PyTorch's (a plain dict)", () => {
    expect(() => load(new Uint8Array([op.PROTO, 2, op.EMPTY_DICT, op.STOP]))).toThrow(/a pickle, but not PyTorch's magic number/);
  });
});

describe("save checks what it is given", () => {
  const linear = new Linear({ inFeatures: 2, outFeatures: 2 });
  it.each([
    [() => save(linear as never), /expected a state dict, got a Linear module; pass model.stateDict\(\)/],
    [() => save([] as never), /expected a state dict .* got an array/],
    [() => save(linear.stateDict(), undefined, { format: "onnx" as never }), OptionError],
    [() => save(linear.stateDict(), undefined, { format: "onnx" as never }), /format must be one of "safetensors", "pt", got "onnx" \(ONNX: exportOnnx\(model, exampleInput, target\)/],
    [() => save(linear.stateDict(), undefined, { format: "pt", metadata: {} }), /metadata is stored only in safetensors files/],
    [() => save(linear.stateDict(), undefined, { metadata: { epoch: 3 as never } }), /metadata.epoch must be a string \(safetensors stores only strings\), got number/],
    [() => save({ w: { shape: [2, 2], data: [1, 2, 3] } }), /w: shape \(2, 2\) holds 4 numbers, data has 3/],
    [() => save({ __metadata__: linear.weight }), /"__metadata__" is the one name safetensors keeps for itself/],
    [() => save(linear.stateDict(), 7 as never), /expected a path to write to \(a non-empty string\), or no target to get the bytes back, got number/],
  ])("%#", (call, error) => {
    expect(call).toThrow(error);
  });
});
