/**
 * The lines a release must not contain, found independently of kernel/grading: the lines inside
 * solution and hidden-test regions of source notebooks that do not also stand outside them
 * (a `manualSeed(0);` in a solution may well appear in the open too). Short lines are left out.
 */
interface SourceCell { source: string | string[] }

export function secretLines(notebooks: { cells: SourceCell[] }[]): string[] {
  const secret: string[] = [];
  const open = new Set<string>();
  for (const nb of notebooks) {
    for (const cell of nb.cells) {
      let inside = false;
      for (const line of (Array.isArray(cell.source) ? cell.source.join("") : cell.source).split("\n")) {
        if (/BEGIN (SOLUTION|HIDDEN TESTS)/.test(line)) inside = true;
        else if (/END (SOLUTION|HIDDEN TESTS)/.test(line)) inside = false;
        else (inside ? secret.push(line.trim()) : open.add(line.trim()));
      }
    }
  }
  return secret.filter((l) => l.length >= 8 && !open.has(l));
}
