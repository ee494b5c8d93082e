/**
 * The length of the longest suffix of `text` that is a proper prefix of `pattern`: how much of a streamed
 * text must be held back because the next piece may complete `pattern` (a tag, a stop string).
 */
export function partialMatchLength(text: string, pattern: string): number {
  for (let length = Math.min(pattern.length - 1, text.length); length > 0; length--) {
    if (text.endsWith(pattern.slice(0, length))) return length;
  }
  return 0;
}
