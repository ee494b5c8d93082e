/**
 * Bytes per token a count without a tokenizer assumes: fewer than source code averages with Qwen's tokenizer,
 * so an estimated block errs towards leaving room in a model server's context rather than overflowing it.
 */
export const ESTIMATED_BYTES_PER_TOKEN = 3;

/** Tokens of `text` without a tokenizer: its UTF-8 bytes over ESTIMATED_BYTES_PER_TOKEN, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(utf8Length(text) / ESTIMATED_BYTES_PER_TOKEN);
}

/** The UTF-8 length, counted by code point: shared code runs where neither Buffer nor TextEncoder is typed. */
function utf8Length(text: string): number {
  let bytes = 0;
  for (const char of text) {
    const point = char.codePointAt(0) ?? 0;
    bytes += point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
  }
  return bytes;
}
