/** Test helper for the static SVG pictures. */

/**
 * A small well-formedness check: tags balance, attributes are quoted, text holds no raw "<" and
 * every "&" starts one of the five XML entities. Returns the number of elements.
 */
export function checkXml(xml: string): number {
  const stack: string[] = [];
  let elements = 0;
  const tag = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>/g;
  let last = 0;
  for (let m = tag.exec(xml); m; m = tag.exec(xml)) {
    const between = xml.slice(last, m.index);
    if (between.includes("<") || between.includes(">")) throw new Error(`stray markup before offset ${m.index}: ${between.slice(0, 60)}`);
    if (/&(?!(amp|lt|gt|quot|apos);)/.test(between)) throw new Error(`bare & in text: ${between.slice(0, 60)}`);
    for (const attr of m[3]!.matchAll(/="([^"]*)"/g)) if (/&(?!(amp|lt|gt|quot|apos);)/.test(attr[1]!)) throw new Error(`bare & in attribute ${attr[1]}`);
    last = m.index + m[0].length;
    if (m[1]) {
      if (stack.pop() !== m[2]) throw new Error(`unbalanced </${m[2]}>`);
    } else {
      elements++;
      if (!m[4]) stack.push(m[2]!);
    }
  }
  if (xml.slice(last).trim()) throw new Error("text after the root element");
  if (stack.length) throw new Error(`unclosed <${stack.join(">, <")}>`);
  return elements;
}
