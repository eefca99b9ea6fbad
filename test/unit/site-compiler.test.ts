/**
 * The browser kernel's cell compiler and session (kernel/site/src), run in Node with the real
 * TypeScript 5.9 compiler, TypeScript's own lib files and seqlab's built declarations, exactly
 * as the Web Worker runs them (only the transport differs).
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import * as seqlab from "../../src/index.js";
import { decodeLines } from "../../kernel/cell-lines.mjs";
import { CellCompiler } from "../../kernel/site/src/compiler.js";
import { formatArgs, inspect } from "../../kernel/site/src/inspect.js";
import { IMPORTABLE } from "../../kernel/site/src/protocol.js";
import { Session, type Outcome } from "../../kernel/site/src/session.js";
import * as ort from "onnxruntime-web";
import { exportOnnx } from "../../src/io/onnx.js";
// @ts-expect-error -- plain JavaScript module: the site's build, whose types.json the worker reads
import { typesJson } from "../../kernel/site/build.mjs";

const ROOT = join(import.meta.dirname, "..", "..");
const LIB_DIR = join(ROOT, "node_modules", "typescript", "lib");

function libFiles(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(LIB_DIR)) if (/^lib\..*\.d\.ts$/.test(f)) out[f] = readFileSync(join(LIB_DIR, f), "utf8");
  return out;
}

function seqlabTypes(): Record<string, string> {
  const files: Record<string, string> = {};
  const dist = join(ROOT, "dist");
  const visit = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) visit(p);
      else if (name.endsWith(".d.ts")) files[`/node_modules/seqlab/dist/${relative(dist, p)}`] = readFileSync(p, "utf8");
    }
  };
  visit(dist);
  files["/node_modules/seqlab/package.json"] = JSON.stringify({ name: "seqlab", type: "module", types: "dist/index.d.ts", exports: { ".": { types: "./dist/index.d.ts", default: "./dist/index.js" } } });
  files["/ambient/kernel.d.ts"] = readFileSync(join(ROOT, "kernel", "site", "src", "ambient.d.txt"), "utf8");
  return files;
}

let LIBS: Record<string, string>;
let TYPES: Record<string, string>;
beforeAll(() => {
  LIBS = libFiles();
  TYPES = seqlabTypes();
});

const compiler = (): CellCompiler =>
  new CellCompiler({ ts, libFiles: LIBS, libs: ["lib.es2022.d.ts", "lib.dom.d.ts"], files: TYPES, importable: [...IMPORTABLE] });

const fsStub = { readFileSync: (p: string) => (p === "data/x.json" ? '{"a": 1}' : (() => { throw new Error(`ENOENT: ${p}`); })()) };
const session = (): Session => new Session(compiler(), { seqlab, fs: fsStub, tslab: {} }, IMPORTABLE);

const ok = (o: Outcome): unknown => {
  if (o.status !== "ok") throw new Error(`expected ok, got ${o.ename}: ${o.evalue}\n${o.traceback.join("\n")}`);
  return o.value;
};

describe("cell compiler", () => {
  it("reports a type error with the cell's own line and column, and the cell does not run", async () => {
    const s = session();
    // Had it run, its first line would have thrown instead.
    const o = await s.execute('throw new Error("this cell ran");\nconst a = 1;\nconst b: string = a;');
    expect(o.status).toBe("error");
    if (o.status === "error") {
      expect(o.ename).toBe("TypeScript");
      expect(o.traceback).toEqual(["3:7 - Type 'number' is not assignable to type 'string'. (TS2322)"]);
    }
  });

  it("keeps declarations across cells, and a cell redeclaring `const x` runs again", async () => {
    const s = session();
    ok(await s.execute("const x = 1;\nlet total = 10;\nfunction twice(n: number) { return 2 * n; }\nclass Box { constructor(readonly v: number) {} }\ninterface Pt { x: number }\ntype Id = string;"));
    expect(ok(await s.execute("const x = 2;\nx + twice(total) + new Box(3).v"))).toBe(2 + 20 + 3);
    expect(ok(await s.execute("const x = 'now a string';\nx.length"))).toBe(12);
    // A `let` of an earlier cell may be assigned; types and interfaces stay visible.
    ok(await s.execute("total += 5;\nconst p: Pt = { x: 4 };\nconst id: Id = 'a';"));
    expect(ok(await s.execute("total + p.x + id"))).toBe("19a");
    // …and a later cell is type-checked against the newest declaration.
    const o = await s.execute("const n: number = x;");
    expect(o.status === "error" && o.traceback[0]).toMatch(/^1:7 - Type 'string' is not assignable to type 'number'/);
  });

  it("runs top-level await, and a last expression is the cell's value", async () => {
    const s = session();
    expect(ok(await s.execute("const v = await new Promise<number>((r) => setTimeout(() => r(41), 5));\nv + 1"))).toBe(42);
    expect(ok(await s.execute("const w = 3;"))).toBeUndefined();
    expect(ok(await s.execute("for (const k of [1, 2]) { void k; }"))).toBeUndefined();
  });

  it("imports seqlab with its types, and names what can be imported when a cell imports something else", async () => {
    const s = session();
    expect(ok(await s.execute('import { tensor, type Tensor } from "seqlab";\nconst t: Tensor = tensor([1, 2, 3]);\nt.shape'))).toEqual([3]);
    // Imported names persist into later cells (values and types).
    expect(ok(await s.execute("const u: Tensor = tensor([[1], [2]]);\nu.shape.length"))).toBe(2);
    const bad = await s.execute('import _ from "lodash";');
    expect(bad.status).toBe("error");
    if (bad.status === "error") expect(bad.traceback[0]).toBe('1:15 - Cannot find module "lodash": a cell in this kernel can import "seqlab", "seqlab/onnx", "fs", "tslab", "onnxruntime-web", nothing else. (TS2307)');
    const wrongType = await s.execute('import { tensor } from "seqlab";\ntensor("no");');
    expect(wrongType.status === "error" && wrongType.traceback[0]).toMatch(/^2:8 - Argument of type 'string'/);
  });

  it("imports onnxruntime-web, type-checked against the declarations the site's types.json carries, and runs an exported model", async () => {
    const site = (typesJson as () => { files: Record<string, string> })();
    expect(Object.keys(site.files)).toEqual(expect.arrayContaining(["/node_modules/onnxruntime-web/types.d.ts", "/node_modules/onnxruntime-common/dist/esm/index.d.ts"]));
    const c = new CellCompiler({ ts, libFiles: LIBS, libs: ["lib.es2022.d.ts", "lib.dom.d.ts"], files: site.files, importable: [...IMPORTABLE] });
    ort.env.wasm.numThreads = 1;
    const lin = new seqlab.Linear({ inFeatures: 2, outFeatures: 1 });
    lin.loadStateDict({ weight: { shape: [1, 2], data: [1, 2] }, bias: { shape: [1], data: [0.5] } });
    const file = exportOnnx(lin, seqlab.tensor([[1, 1]]));
    const fsWithModel = { readFileSync: (p: string) => (p === "data/lin.onnx" ? file : fsStub.readFileSync(p)) };
    const s = new Session(c, { seqlab, "seqlab/onnx": { exportOnnx }, fs: fsWithModel, tslab: {}, "onnxruntime-web": ort }, IMPORTABLE);
    const cell = [
      'import * as fs from "fs";',
      'import * as ort from "onnxruntime-web";',
      'const sess = await ort.InferenceSession.create(fs.readFileSync("data/lin.onnx"));',
      'const out = await sess.run({ input: new ort.Tensor("float32", Float32Array.from([3, 4]), [1, 2]) });',
      'Array.from(out["output"]!.data as Float32Array)',
    ].join("\n");
    expect(ok(await s.execute(cell))).toEqual([11.5]);
    // The same model exported in a cell, with exportOnnx from seqlab/onnx (types from the site's package.json).
    const inCell = [
      'import { Linear, tensor } from "seqlab";',
      'import { exportOnnx } from "seqlab/onnx";',
      "const lin2 = new Linear({ inFeatures: 2, outFeatures: 1 });",
      'lin2.loadStateDict({ weight: { shape: [1, 2], data: [1, 2] }, bias: { shape: [1], data: [0.5] } });',
      "const bytes: Uint8Array = exportOnnx(lin2, tensor([[1, 1]]));",
      'const out2 = await (await ort.InferenceSession.create(bytes)).run({ input: new ort.Tensor("float32", Float32Array.from([3, 4]), [1, 2]) });',
      'Array.from(out2["output"]!.data as Float32Array)',
    ].join("\n");
    expect(ok(await s.execute(inCell))).toEqual([11.5]);
    // ORT's types are checked: a Tensor's dims are numbers, not a string.
    const typed = await s.execute('const d: string = new ort.Tensor("float32", Float32Array.from([1]), [1]).dims;');
    expect(typed.status === "error" && typed.traceback[0]).toMatch(/^1:7 - Type 'readonly number\[\]' is not assignable to type 'string'/);
  });

  it("offers fs.readFileSync with Node's types", async () => {
    const s = session();
    expect(ok(await s.execute('import * as fs from "fs";\nconst ref = JSON.parse(fs.readFileSync("data/x.json", "utf8"));\nref.a'))).toBe(1);
    const typed = await s.execute('const n: number = fs.readFileSync("data/x.json", "utf8");');
    expect(typed.status === "error" && typed.traceback[0]).toMatch(/^1:7 - Type 'string' is not assignable to type 'number'/);
  });

  it("reports an uncaught error with its name, message and the cell line", async () => {
    const s = session();
    const o = await s.execute('interface Q { a: number }\nconst q: Q = { a: 1 };\n\nif (q.a === 1) throw new RangeError("too big");');
    expect(o).toEqual({ status: "error", ename: "RangeError", evalue: "too big", traceback: ["RangeError: too big", '    at line 4 of the cell: if (q.a === 1) throw new RangeError("too big");'] });
    // An error raised inside seqlab names the cell line that called it.
    const shape = await s.execute('import { tensor, matmul } from "seqlab";\nconst a = tensor([[1, 2]]);\nmatmul(a, a);');
    expect(shape.status).toBe("error");
    if (shape.status === "error") {
      expect(shape.ename).toMatch(/Error$/);
      expect(shape.traceback[1]).toBe("    at line 3 of the cell: matmul(a, a);");
    }
  });

  it("keeps destructured names and hoisted functions", async () => {
    const s = session();
    ok(await s.execute("const sq = later(3);\nfunction later(n: number) { return n * n; }\nconst { a, b: [c, d] } = { a: 1, b: [2, 3] };"));
    expect(ok(await s.execute("sq + a + c + d"))).toBe(15);
  });

  it("completes names of earlier cells, of seqlab and of members, and shows hover help", async () => {
    const c = compiler();
    const s = new Session(c, { seqlab, fs: fsStub, tslab: {} }, IMPORTABLE);
    ok(await s.execute('import { tensor, LSTM } from "seqlab";\nconst hiddenUnits = 8;\nconst t = tensor([1, 2]);'));
    const names = c.complete("hidd", 4);
    expect(names).toEqual({ matches: ["hiddenUnits"], start: 0, end: 4 });
    const member = c.complete("const k = t.sha", 15);
    expect(member.matches).toContain("shape");
    expect(member.start).toBe(12);
    const fromSeqlab = c.complete('import { LST } from "seqlab";', 12);
    expect(fromSeqlab.matches).toContain("LSTM");
    const help = c.inspect("new LSTM({ inputSize: 2, hiddenSize: 4 })", 6);
    expect(help).toMatch(/LSTM/);
    expect(c.inspect("   ", 1)).toBeNull();
  });

  it("rejects the names the compiled code itself uses", () => {
    const r = compiler().compile("const __seqlab_scope__ = 1;");
    expect(r.ok).toBe(false);
  });

  it("maps JavaScript lines back to cell lines", () => {
    const r = compiler().compile("interface A { x: number }\n\nconst a: A = { x: 1 };\nconsole.log(a);");
    expect(r.ok).toBe(true);
    if (r.ok) {
      const lines = r.js.split("\n");
      const at = lines.findIndex((l) => l.includes("console.log"));
      expect(r.cellLine(at + 1)).toBe(4);
    }
    expect(decodeLines("")).toEqual([]);
  });
});

describe("inspect and format (what console.log and a last value print)", () => {
  it("writes values as Node's util.inspect does", () => {
    expect(inspect({ a: 1, b: "x", c: [1, 2, 3] })).toBe("{ a: 1, b: 'x', c: [ 1, 2, 3 ] }");
    expect(inspect([])).toBe("[]");
    expect(inspect(new Map([["k", 1]]))).toBe("Map(1) { 'k' => 1 }");
    expect(inspect(new Float32Array([1, 2]))).toBe("Float32Array(2) [ 1, 2 ]");
    expect(inspect(-0)).toBe("-0");
    expect(inspect(seqlab.tensor([1, 2]))).toBe(seqlab.tensor([1, 2]).toString());
    const deep = { a: { b: { c: { d: 1 } } } };
    expect(inspect(deep)).toBe("{ a: { b: { c: [Object] } } }");
    const circular: { self?: unknown } = {};
    circular.self = circular;
    expect(inspect(circular)).toBe("{ self: [Circular] }");
  });

  it("formats console.log's arguments as util.format does", () => {
    expect(formatArgs(["RESULT a=%s", 0.5])).toBe("RESULT a=0.5");
    expect(formatArgs(["%d items", 3, "more"])).toBe("3 items more");
    expect(formatArgs(["x", [2, 3], "y"])).toBe("x [ 2, 3 ] y");
  });
});
