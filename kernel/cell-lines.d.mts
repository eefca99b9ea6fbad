/** From a source map's `mappings`: for each generated line, the 1-based source line of its first segment. */
export function decodeLines(mapText: string): (number | null)[];
/** One frame of a traceback, as the student's cell: `    at line 3 of the cell: y = f(x);`. */
export function cellFrame(line: number, text: string, cell?: string): string;
