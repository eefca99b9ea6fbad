/**
 * The cell compiler of seqlab's browser kernel: what the Web Worker runs for each cell, and what
 * the unit tests run in Node. It type-checks a cell with the TypeScript compiler against seqlab's
 * own declarations, the browser's lib and every earlier cell's declarations, then turns it into
 * JavaScript that runs inside an async function over a scope object that persists across cells.
 *
 * How declarations persist (the same rules as tslab, by other means):
 * - Each accepted cell k is kept as the declaration file `/cells/cell_k.d.ts`, emitted by the
 *   compiler from the cell with an `export { … }` of every name it declares.
 * - A later cell sees the names of earlier cells through an appended `import { … } from
 *   "./ctx_n"`, where `ctx_n.d.ts` re-exports each name from the cell that declared it last.
 *   Names the new cell declares itself are left out, so re-running `const x = …` is not a
 *   redeclaration. Names first declared with `let`/`var` come in as `declare var x: typeof …`
 *   instead, so that a later cell may assign to them.
 * - Everything is appended after the cell's own text, so a diagnostic's line and column are the
 *   cell's own.
 *
 * At run time a cell's top-level declarations become assignments to the scope object (read and
 * written through `with`), its imports become lookups in the kernel's registry of modules, and
 * a last expression statement becomes the function's return value.
 */
import type * as TS from "typescript";
import { decodeLines } from "../../cell-lines.mjs";

/** The TypeScript module: `import ts from "typescript"` in Node, the global `ts` in the worker. */
export type TypeScript = typeof TS;

/** A type error or syntax error, at a 1-based line and column of the cell. */
export interface CellDiagnostic {
  line: number;
  column: number;
  code: number;
  message: string;
}

/** What a cell compiles to. */
export type CompileResult =
  | { ok: false; diagnostics: CellDiagnostic[] }
  | {
      ok: true;
      /** The JavaScript to evaluate with indirect eval: an expression whose value is `(scope, importer) => Promise<unknown>`. */
      js: string;
      /** Every top-level name the cell declares (they must exist in the scope before it runs). */
      names: string[];
      /** Maps a 1-based line of `js` to the 1-based line of the cell it came from (null: none). */
      cellLine(jsLine: number): number | null;
      /** Adds the cell's declarations to the context for later cells; call once it ran (or was accepted). */
      commit(): void;
    };

export interface CompilerOptions {
  ts: TypeScript;
  /** TypeScript's lib files by file name (`lib.es2022.d.ts`, …), with every file they reference. */
  libFiles: Record<string, string>;
  /** The lib files to load, e.g. ["lib.es2022.d.ts", "lib.dom.d.ts"]. */
  libs: string[];
  /**
   * Further declaration files by absolute path, e.g. "/node_modules/seqlab/dist/index.d.ts";
   * those under /ambient/ are part of every check (the kernel's `declare module "fs"`, …).
   */
  files: Record<string, string>;
  /** Modules a cell may import, for the message when it imports another one. */
  importable: string[];
}

/** The name the cell's JavaScript reads the scope object by (and may not be used by a cell). */
export const SCOPE = "__seqlab_scope__";
/** The name of the import function inside a cell's JavaScript. */
export const IMPORT = "__seqlab_import__";

const PARSED = new Map<string, { text: string; sf: TS.SourceFile }>();

interface Declared {
  /** The cell file (without extension) that declared the name last. */
  file: string;
  /** Declared with let or var: later cells may assign to it. */
  mutable: boolean;
}

export class CellCompiler {
  private readonly ts: TypeScript;
  private readonly files = new Map<string, string>();
  /** Parsed lib and declaration files, shared by every compiler (a kernel restart, the tests) in this thread. */
  private readonly sourceCache = PARSED;
  private readonly options: TS.CompilerOptions;
  private readonly declared = new Map<string, Declared>();
  private readonly importable: string[];
  private program: TS.Program | undefined;
  private counter = 0;

  constructor(opts: CompilerOptions) {
    this.ts = opts.ts;
    this.importable = opts.importable;
    const ts = this.ts;
    for (const [name, text] of Object.entries(opts.libFiles)) this.files.set(`/lib/${name}`, text);
    for (const [path, text] of Object.entries(opts.files)) this.files.set(path, text);
    this.options = {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      moduleDetection: ts.ModuleDetectionKind.Force,
      lib: opts.libs,
      strict: true,
      skipLibCheck: true,
      declaration: true,
      emitDeclarationOnly: true,
      noEmitOnError: false,
      esModuleInterop: true,
      allowSyntheticDefaultImports: true,
      resolveJsonModule: false,
      types: [],
    };
  }

  /** Type-checks `code` as the next cell and compiles it; nothing changes until `commit()`. */
  compile(code: string): CompileResult {
    const ts = this.ts;
    if (code.includes(SCOPE) || code.includes(IMPORT)) {
      return { ok: false, diagnostics: [{ line: 1, column: 1, code: 0, message: `${SCOPE} and ${IMPORT} are reserved names in this kernel` }] };
    }
    this.counter += 1;
    const id = this.counter;
    const cellFile = `/cells/cell_${id}.ts`;
    const parsed = ts.createSourceFile(cellFile, code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
    const own = topLevelNames(ts, parsed);

    const ctxFile = `/cells/ctx_${id}.d.ts`;
    const checked = this.withContext(code, parsed, `ctx_${id}`);
    this.files.set(cellFile, checked);

    const host = this.host();
    const ambient = [...this.files.keys()].filter((f) => f.startsWith("/ambient/"));
    const program = ts.createProgram({ rootNames: [cellFile, ...ambient], options: this.options, host, oldProgram: this.program });
    const sf = program.getSourceFile(cellFile)!;
    const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].filter(
      (d) => d.category === ts.DiagnosticCategory.Error,
    );
    if (diags.length > 0) {
      this.files.delete(cellFile);
      this.files.delete(ctxFile);
      this.counter -= 1;
      return { ok: false, diagnostics: diags.map((d) => this.diagnostic(d, sf)) };
    }
    this.program = program;

    // The cell's declarations, as later cells will see them.
    let dts = "";
    program.emit(sf, (name, text) => {
      if (name.endsWith(".d.ts")) dts = text;
    }, undefined, true);

    const { js, map } = this.toJavaScript(code, parsed);
    const lines = decodeLines(map);
    return {
      ok: true,
      js,
      names: own.map((d) => d.name),
      cellLine: (jsLine) => lines[jsLine - 1] ?? null,
      commit: () => {
        this.files.delete(cellFile);
        this.files.set(`/cells/cell_${id}.d.ts`, dts);
        for (const d of own) this.declared.set(d.name, { file: `cell_${id}`, mutable: d.mutable });
      },
    };
  }

  /**
   * The cell's text as it is checked: the code, then (on lines after it) an export of what it
   * declares and the names of earlier cells it does not redeclare, from the context file
   * `/cells/<ctx>.d.ts` (written here).
   */
  private withContext(code: string, parsed: TS.SourceFile, ctx: string): string {
    const own = topLevelNames(this.ts, parsed);
    const ownNames = new Set(own.map((d) => d.name));
    const byFile = new Map<string, string[]>();
    const imported: string[] = [];
    const mutable: string[] = [];
    for (const [name, d] of this.declared) {
      if (ownNames.has(name)) continue;
      if (!byFile.has(d.file)) byFile.set(d.file, []);
      byFile.get(d.file)!.push(name);
      (d.mutable ? mutable : imported).push(name);
    }
    const reexports = [...byFile].map(([file, names]) => `export { ${names.join(", ")} } from "./${file}";`).join("\n");
    this.files.set(`/cells/${ctx}.d.ts`, reexports + "\nexport {};\n");
    return [
      code,
      `export { ${own.map((d) => d.name).join(", ")} };`,
      imported.length ? `import { ${imported.join(", ")} } from "./${ctx}";` : "",
      ...mutable.map((n) => `declare var ${n}: typeof import("./${ctx}").${n};`),
    ].join("\n");
  }

  private service: TS.LanguageService | undefined;
  private serviceVersion = 0;

  /** The language service over the same files, for completions and hover help (made on first use). */
  private languageService(): TS.LanguageService {
    if (this.service) return this.service;
    const ts = this.ts;
    const files = this.files;
    const host: TS.LanguageServiceHost = {
      getCompilationSettings: () => this.options,
      getScriptFileNames: () => ["/cells/query.ts", ...[...files.keys()].filter((f) => f.startsWith("/ambient/"))],
      // The query cell and its context change every time; every other file is written once.
      getScriptVersion: (f) => (f === "/cells/query.ts" || f === "/cells/ctx_query.d.ts" ? String(this.serviceVersion) : "1"),
      getScriptSnapshot: (f) => {
        const text = files.get(f);
        return text === undefined ? undefined : ts.ScriptSnapshot.fromString(text);
      },
      getCurrentDirectory: () => "/cells",
      getDefaultLibFileName: () => "/lib/lib.d.ts",
      fileExists: (f) => files.has(f),
      readFile: (f) => files.get(f),
      directoryExists: (dir) => {
        const prefix = dir.endsWith("/") ? dir : `${dir}/`;
        for (const key of files.keys()) if (key.startsWith(prefix)) return true;
        return false;
      },
      useCaseSensitiveFileNames: () => true,
    };
    this.service = ts.createLanguageService(host, ts.createDocumentRegistry(true, "/"));
    return this.service;
  }

  private query(code: string): TS.LanguageService {
    const parsed = this.ts.createSourceFile("/cells/query.ts", code, this.ts.ScriptTarget.ES2022, true, this.ts.ScriptKind.TS);
    this.files.set("/cells/query.ts", this.withContext(code, parsed, "ctx_query"));
    this.serviceVersion += 1;
    return this.languageService();
  }

  /** Completions at `cursor` (a string index into `code`): the names, and the range they replace. */
  complete(code: string, cursor: number): { matches: string[]; start: number; end: number } {
    const prefix = /[\w$]*$/.exec(code.slice(0, cursor))![0];
    const info = this.query(code).getCompletionsAtPosition("/cells/query.ts", cursor, { includeCompletionsForModuleExports: false });
    const entries = (info?.entries ?? [])
      .filter((e) => e.name.startsWith(prefix) && !e.name.startsWith("__seqlab_"))
      .sort((a, b) => (a.sortText === b.sortText ? a.name.localeCompare(b.name) : a.sortText < b.sortText ? -1 : 1));
    return { matches: entries.slice(0, 300).map((e) => e.name), start: cursor - prefix.length, end: cursor };
  }

  /** Hover help at `cursor`: the type and documentation of what is there, or null. */
  inspect(code: string, cursor: number): string | null {
    const ts = this.ts;
    const at = Math.max(0, /[\w$]$/.test(code.slice(0, cursor)) || cursor >= code.length ? cursor - 1 : cursor);
    const info = this.query(code).getQuickInfoAtPosition("/cells/query.ts", at);
    if (!info) return null;
    const signature = ts.displayPartsToString(info.displayParts);
    const docs = ts.displayPartsToString(info.documentation);
    return docs ? `${signature}\n\n${docs}` : signature;
  }

  /** Forgets every declaration: what a restarted kernel starts from. */
  reset(): void {
    for (const key of [...this.files.keys()]) if (key.startsWith("/cells/")) this.files.delete(key);
    this.declared.clear();
    this.program = undefined;
    this.service?.dispose();
    this.service = undefined;
  }

  private diagnostic(d: TS.Diagnostic, sf: TS.SourceFile): CellDiagnostic {
    const ts = this.ts;
    let message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    // TS2307 "Cannot find module": say what this kernel can import instead.
    if (d.code === 2307 || d.code === 2792) {
      const m = /'([^']+)'/.exec(message);
      const list = this.importable.map((n) => `"${n}"`).join(", ");
      message = `Cannot find module "${m?.[1] ?? "?"}": a cell in this kernel can import ${list}, nothing else.`;
    }
    if (d.file === sf && d.start !== undefined) {
      const { line, character } = sf.getLineAndCharacterOfPosition(d.start);
      return { line: line + 1, column: character + 1, code: d.code, message };
    }
    return { line: 1, column: 1, code: d.code, message };
  }

  private host(): TS.CompilerHost {
    const ts = this.ts;
    const files = this.files;
    const cache = this.sourceCache;
    return {
      getSourceFile: (name, languageVersion) => {
        const text = files.get(name);
        if (text === undefined) return undefined;
        const hit = cache.get(name);
        if (hit && hit.text === text) return hit.sf;
        const sf = ts.createSourceFile(name, text, languageVersion, true);
        // Cells change every time; only the fixed files (libs, seqlab, cell declarations) are worth keeping.
        if (!name.endsWith(".ts") || name.endsWith(".d.ts")) cache.set(name, { text, sf });
        return sf;
      },
      getDefaultLibFileName: () => "/lib/lib.d.ts",
      getDefaultLibLocation: () => "/lib",
      writeFile: () => undefined,
      getCurrentDirectory: () => "/cells",
      getDirectories: () => [],
      fileExists: (name) => files.has(name),
      readFile: (name) => files.get(name),
      directoryExists: (dir) => {
        const prefix = dir.endsWith("/") ? dir : `${dir}/`;
        for (const key of files.keys()) if (key.startsWith(prefix)) return true;
        return false;
      },
      getCanonicalFileName: (name) => name,
      useCaseSensitiveFileNames: () => true,
      getNewLine: () => "\n",
    };
  }

  /**
   * The cell as JavaScript over the scope object: types stripped by the compiler, then the
   * top-level statements rewritten in place (no line is added, so the source map's lines hold).
   */
  private toJavaScript(code: string, parsed: TS.SourceFile): { js: string; map: string } {
    const ts = this.ts;
    // Imports become registry lookups at the start; their text is blanked (newlines kept).
    const preamble: string[] = [];
    let stripped = code;
    for (const st of parsed.statements) {
      if (!ts.isImportDeclaration(st)) continue;
      const from = JSON.stringify((st.moduleSpecifier as TS.StringLiteral).text);
      const clause = st.importClause;
      if (!clause) preamble.push(`${IMPORT}(${from});`);
      else if (!clause.isTypeOnly) {
        if (clause.name) preamble.push(`${SCOPE}.${clause.name.text} = ${IMPORT}(${from}).default;`);
        const nb = clause.namedBindings;
        if (nb && ts.isNamespaceImport(nb)) preamble.push(`${SCOPE}.${nb.name.text} = ${IMPORT}(${from});`);
        if (nb && ts.isNamedImports(nb)) {
          for (const el of nb.elements) {
            if (el.isTypeOnly) continue;
            const imported = (el.propertyName ?? el.name).text;
            preamble.push(`${SCOPE}.${el.name.text} = ${IMPORT}(${from})[${JSON.stringify(imported)}];`);
          }
        }
      }
      const start = st.getStart(parsed);
      stripped = stripped.slice(0, start) + stripped.slice(start, st.end).replace(/[^\n]/g, " ") + stripped.slice(st.end);
    }

    const out = ts.transpileModule(stripped, {
      fileName: "cell.ts",
      reportDiagnostics: false,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        sourceMap: true,
        removeComments: false,
        moduleDetection: ts.ModuleDetectionKind.Force,
        useDefineForClassFields: true,
      },
    });
    const js = out.outputText.replace(/\n?\/\/# sourceMappingURL=.*\s*$/, "\n");
    const jsFile = ts.createSourceFile("cell.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const edits: { at: number; del: number; text: string }[] = [];
    const hoisted: string[] = [];
    const statements = jsFile.statements;
    let lastRunnable = statements.length - 1;
    while (lastRunnable >= 0 && ts.isExportDeclaration(statements[lastRunnable]!)) lastRunnable -= 1;
    statements.forEach((st, index) => {
      if (ts.isExportDeclaration(st)) {
        // The `export {};` that marks a module: nothing to run.
        edits.push({ at: st.getStart(jsFile), del: st.end - st.getStart(jsFile), text: "" });
      } else if (ts.isVariableStatement(st)) {
        const list = st.declarationList;
        const first = list.declarations[0]!;
        // `const a = 1, { b } = o;` → `(a = 1, { b } = o);`: assignments through the scope.
        edits.push({ at: st.getStart(jsFile), del: first.getStart(jsFile) - st.getStart(jsFile), text: "(" });
        for (const d of list.declarations) if (!d.initializer) edits.push({ at: d.name.end, del: 0, text: " = undefined" });
        edits.push({ at: list.end, del: 0, text: ")" });
      } else if (ts.isFunctionDeclaration(st) && st.name) {
        // Function declarations are hoisted in the cell, and published to the scope before it runs.
        hoisted.push(`${SCOPE}.${st.name.text} = ${st.name.text};`);
      } else if (ts.isClassDeclaration(st) && st.name) {
        edits.push({ at: st.getStart(jsFile), del: 0, text: `${st.name.text} = ` });
        edits.push({ at: st.end, del: 0, text: ";" });
      } else if (ts.isExpressionStatement(st) && index === lastRunnable) {
        // The value of a last expression is the cell's value (shown as tslab shows it).
        edits.push({ at: st.expression.getStart(jsFile), del: 0, text: "return (" });
        edits.push({ at: st.expression.end, del: 0, text: ")" });
      }
    });
    let body = js;
    for (const e of edits.sort((a, b) => b.at - a.at)) body = body.slice(0, e.at) + e.text + body.slice(e.at + e.del);
    const head = `(function (${SCOPE}, ${IMPORT}) { with (${SCOPE}) { return (async () => { ${hoisted.join(" ")} ${preamble.join(" ")} `;
    return { js: `${head}${body}\n})(); } })`, map: out.sourceMapText ?? "" };
  }
}

interface TopLevel {
  name: string;
  mutable: boolean;
}

/** The names a cell declares at its top level (values, types and imports alike). */
export function topLevelNames(ts: TypeScript, sf: TS.SourceFile): TopLevel[] {
  const out = new Map<string, TopLevel>();
  const add = (name: string, mutable: boolean): void => {
    out.set(name, { name, mutable });
  };
  const bindings = (node: TS.BindingName, mutable: boolean): void => {
    if (ts.isIdentifier(node)) add(node.text, mutable);
    else for (const el of node.elements) if (!ts.isOmittedExpression(el)) bindings(el.name, mutable);
  };
  for (const st of sf.statements) {
    if (ts.isVariableStatement(st)) {
      const mutable = (st.declarationList.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using | ts.NodeFlags.AwaitUsing)) === 0;
      for (const d of st.declarationList.declarations) bindings(d.name, mutable);
    } else if (
      (ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st) || ts.isInterfaceDeclaration(st) || ts.isTypeAliasDeclaration(st) || ts.isEnumDeclaration(st)) &&
      st.name
    ) {
      add(st.name.text, false);
    } else if (ts.isImportDeclaration(st) && st.importClause) {
      const c = st.importClause;
      if (c.name) add(c.name.text, false);
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) add(c.namedBindings.name.text, false);
      if (c.namedBindings && ts.isNamedImports(c.namedBindings)) for (const el of c.namedBindings.elements) add(el.name.text, false);
    }
  }
  return [...out.values()];
}

