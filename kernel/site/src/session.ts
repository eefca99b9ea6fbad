/**
 * One kernel session: cells compiled by CellCompiler and run, one after another, over one scope
 * object. The worker runs this; so do the unit tests, in Node, with the same modules.
 */
import { cellFrame } from "../../cell-lines.mjs";
import { CellCompiler, type CellDiagnostic } from "./compiler.js";
import { inspect } from "./inspect.js";

export type Outcome =
  | { status: "ok"; value: unknown }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/** Renders type errors as tslab does, one per line: `line:column - message`. */
export function diagnosticsText(diagnostics: readonly CellDiagnostic[]): string[] {
  return diagnostics.map((d) => `${d.line}:${d.column} - ${d.message}${d.code ? ` (TS${d.code})` : ""}`);
}

export class Session {
  private readonly scope: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  private cells = 0;

  constructor(
    private readonly compiler: CellCompiler,
    /** The modules cells may import, by specifier. */
    private readonly modules: Readonly<Record<string, unknown>>,
    private readonly importable: readonly string[],
  ) {}

  /** Compiles and runs one cell. A cell's value is `undefined` when it ends in no expression. */
  async execute(code: string): Promise<Outcome> {
    const compiled = this.compiler.compile(code);
    if (!compiled.ok) {
      const lines = diagnosticsText(compiled.diagnostics);
      const n = compiled.diagnostics.length;
      return {
        status: "error",
        ename: "TypeScript",
        evalue: `${n} type error${n === 1 ? "" : "s"}; the cell did not run`,
        traceback: lines,
      };
    }
    // Type-checked: later cells see this one's declarations even if it throws while running
    // (its names exist in the scope, possibly still undefined), as the type checker will assume.
    compiled.commit();
    for (const name of compiled.names) if (!(name in this.scope)) this.scope[name] = undefined;
    this.cells += 1;
    const file = `seqlab-cell-${this.cells}.js`;
    const importer = (specifier: string): unknown => {
      if (Object.prototype.hasOwnProperty.call(this.modules, specifier)) return this.modules[specifier];
      throw new Error(`Cannot import "${specifier}": a cell in this kernel can import ${this.importable.map((m) => `"${m}"`).join(", ")}, nothing else.`);
    };
    try {
      // Indirect eval: the cell sees globals and its scope object, never this module's variables.
      const fn = (0, eval)(`${compiled.js}\n//# sourceURL=${file}`) as (scope: object, imp: (s: string) => unknown) => Promise<unknown>;
      const value = await fn(this.scope, importer);
      return { status: "ok", value };
    } catch (e) {
      return errorOutcome(e, file, compiled.cellLine, code);
    }
  }
}

/** An uncaught error as an error output: its name, message and the cell line it came from. */
export function errorOutcome(e: unknown, file: string, cellLine: (jsLine: number) => number | null, code: string): Outcome {
  if (!(e instanceof Error)) {
    return { status: "error", ename: "Error", evalue: `Uncaught ${inspect(e)}`, traceback: [`Uncaught ${inspect(e)}`] };
  }
  const escaped = file.replace(/[.]/g, "\\.");
  const m = new RegExp(`${escaped}:(\\d+):(\\d+)`).exec(e.stack ?? "");
  const line = m ? cellLine(Number(m[1])) : null;
  const traceback = [`${e.name}: ${e.message}`];
  if (line !== null) {
    const text = code.split("\n")[line - 1] ?? "";
    traceback.push(cellFrame(line, text));
  }
  return { status: "error", ename: e.name, evalue: e.message, traceback };
}
