// `npm run release -- SOURCE_DIR OUT_DIR`: the student version of every nbgrader source notebook
// in SOURCE_DIR (solutions replaced by stubs, hidden tests removed, outputs cleared, nbgrader
// metadata and checksums kept), the other files of the folder copied beside them, and the same
// files as one zip for a learning-management system (OUT_DIR.zip).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isTracked, release, validate } from "./nbgrader.mjs";
import { writeZip } from "./zip.mjs";

/** Folders and files that are never part of an assignment. */
const SKIPPED = new Set([".ipynb_checkpoints", "node_modules", ".git", ".DS_Store"]);

/** Reads a notebook, or throws one message saying what is wrong with the file. */
export function readNotebook(path) {
  let nb;
  try {
    nb = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new Error(`${path}: not a notebook (expected nbformat 4 JSON): ${e.message}`);
  }
  if (!nb || typeof nb !== "object" || !Array.isArray(nb.cells) || nb.nbformat !== 4) {
    throw new Error(`${path}: not a notebook (expected nbformat 4 JSON with a list of cells)`);
  }
  return nb;
}

/** The source notebooks of a folder, checked: each must be an nbgrader source notebook. */
export function readSources(dir) {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: expected a folder of source notebooks, found ${existsSync(dir) ? "a file" : "nothing"}`);
  const names = readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort();
  if (names.length === 0) throw new Error(`${dir}: expected nbgrader source notebooks (*.ipynb), found none`);
  const sources = new Map();
  for (const name of names) {
    const nb = readNotebook(join(dir, name));
    if (!nb.cells.some(isTracked)) {
      throw new Error(`${join(dir, name)}: not an nbgrader source notebook: no cell has metadata.nbgrader (answer cells need "solution": true, check cells "grade": true with points)`);
    }
    // Checksums are recomputed on release, so a source edited since its last release is fine.
    const problems = validate(nb, { source: true, checksums: false });
    if (problems.length) throw new Error(`${join(dir, name)} breaks nbgrader's rules:\n  ${problems.join("\n  ")}`);
    sources.set(name, nb);
  }
  return sources;
}

function otherFiles(dir, base = dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    if (SKIPPED.has(name)) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...otherFiles(path, base));
    else if (!(dir === base && name.endsWith(".ipynb"))) out.push(relative(base, path));
  }
  return out;
}

export const notebookText = (nb) => `${JSON.stringify(nb, null, 1)}\n`;

/** Writes the student version of SOURCE_DIR into OUT_DIR (replacing it) and OUT_DIR.zip. */
export function releaseFolder(sourceDir, outDir) {
  const sources = readSources(sourceDir);
  const inside = (a, b) => !relative(resolve(b), resolve(a)).startsWith("..");
  if (inside(outDir, sourceDir) || inside(sourceDir, outDir)) {
    throw new Error(`OUT_DIR (${outDir}) and SOURCE_DIR (${sourceDir}) must not contain each other: the release replaces OUT_DIR`);
  }
  const files = [];
  for (const [name, nb] of sources) files.push({ path: name, data: Buffer.from(notebookText(release(nb))) });
  for (const path of otherFiles(sourceDir)) files.push({ path, data: readFileSync(join(sourceDir, path)) });

  rmSync(outDir, { recursive: true, force: true });
  for (const file of files) {
    mkdirSync(dirname(join(outDir, file.path)), { recursive: true });
    writeFileSync(join(outDir, file.path), file.data);
  }
  const zip = `${outDir.replace(/\/+$/, "")}.zip`;
  writeZip(zip, files.map((f) => ({ path: `${basename(resolve(outDir))}/${f.path}`, data: f.data })));
  return { notebooks: [...sources.keys()], files: files.map((f) => f.path), zip };
}

/**
 * Adds to OUT_DIR the student version of each file of SOURCE_DIR that OUT_DIR does not have yet,
 * and changes nothing that is there: a student's own work is never overwritten. Returns the
 * files it added.
 */
export function releaseMissing(sourceDir, outDir) {
  const sources = readSources(sourceDir);
  const added = [];
  const write = (path, data) => {
    const target = join(outDir, path);
    if (existsSync(target)) return;
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, data);
    added.push(path);
  };
  for (const [name, nb] of sources) write(name, notebookText(release(nb)));
  for (const path of otherFiles(sourceDir)) write(path, readFileSync(join(sourceDir, path)));
  return added;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  if (args.length !== 2 || args.some((a) => a.startsWith("-"))) {
    console.error("usage: npm run release -- SOURCE_DIR OUT_DIR\n\n  Writes the student version of every nbgrader source notebook in SOURCE_DIR into OUT_DIR,\n  and OUT_DIR.zip with the same files.");
    process.exit(2);
  }
  try {
    const { notebooks, files, zip } = releaseFolder(args[0], args[1]);
    console.log(`[seqlab] released ${notebooks.length} notebooks (${files.length - notebooks.length} other files) into ${args[1]} and ${zip}`);
  } catch (e) {
    console.error(`[seqlab] release: ${e.message}`);
    process.exit(1);
  }
}
