// Where in a cell an error happened, for both of seqlab's TypeScript kernels (tslab under Jupyter,
// kernel/tslab/preload.mjs; the browser kernel, kernel/site/src): a cell is compiled to
// JavaScript with a source map, and an error's frames in that JavaScript are shown as the lines
// of the cell the student wrote.

const VLQ = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** From a source map's `mappings`: for each generated line, the 1-based source line of its first segment. */
export function decodeLines(mapText) {
  if (!mapText) return [];
  const mappings = JSON.parse(mapText).mappings;
  const result = [];
  let srcLine = 0;
  for (const line of mappings.split(";")) {
    let first = null;
    for (const seg of line.split(",")) {
      if (seg === "") continue;
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const ch of seg) {
        const digit = VLQ.indexOf(ch);
        value += (digit & 31) << shift;
        if (digit & 32) shift += 5;
        else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      if (fields.length >= 4) {
        srcLine += fields[2];
        first ??= srcLine + 1;
      }
    }
    result.push(first);
  }
  return result;
}

/** One frame of a traceback, as the student's cell: `    at line 3 of the cell: y = f(x);`. */
export function cellFrame(line, text, cell = "the cell") {
  return `    at line ${line} of ${cell}: ${text.trim()}`;
}
