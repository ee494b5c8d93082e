/** A document's line ending (`vscode.EndOfLine` as text). */
export type LineEnding = '\n' | '\r\n';

/** `text` with every line break an editor counts (`\r\n`, `\n` or a lone `\r`) written as `eol`. */
export function withLineEnding(text: string, eol: LineEnding): string {
  return text.replace(/\r\n|\r|\n/g, eol);
}
