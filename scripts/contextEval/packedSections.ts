/**
 * What a context block in the `qwen` format shows of each file: the text after its `<|file_sep|>path` line.
 * The list of paths shown by name only is not a section; a path line may carry a note after the path.
 */
const FILE_SEP = '<|file_sep|>';

/** Section text by index path; `knownPaths` tells a path from a path with a note (`a.ts (excerpt)`). */
export function packedSections(block: string, knownPaths: ReadonlySet<string>): Map<string, string> {
  const sections = new Map<string, string>();
  for (const chunk of block.split(FILE_SEP).slice(1)) {
    const newline = chunk.indexOf('\n');
    const title = newline === -1 ? chunk : chunk.slice(0, newline);
    const body = newline === -1 ? '' : chunk.slice(newline + 1);
    const path = knownPaths.has(title) ? title : title.replace(/\s+[([].*$/, '');
    if (knownPaths.has(path)) sections.set(path, (sections.get(path) ?? '') + body);
  }
  return sections;
}

/** True when `section` holds lines `line`…`endLine` of `content`: verbatim, or every one as a numbered line. */
export function showsLines(section: string, content: string, line: number, endLine: number): boolean {
  const lines = content.split('\n');
  const wanted = lines.slice(line - 1, endLine);
  if (section.includes(wanted.join('\n'))) return true;
  const numbered = new Map<number, string>();
  for (const match of section.matchAll(/^(\d+)│(.*)$/gm)) numbered.set(Number(match[1]), match[2]);
  return wanted.every((text, i) => {
    const shown = numbered.get(line + i);
    if (shown === undefined) return false;
    const plain = text.replace(/\r$/, '');
    return shown === plain || (shown.endsWith('…') && plain.startsWith(shown.slice(0, -1)));
  });
}
