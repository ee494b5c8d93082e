/**
 * Words of source text, paths and questions as search terms: identifiers split at camelCase, snake_case,
 * kebab-case and digits, lowercased and stemmed, so that "debouncing" in a question meets `EditDebouncer`.
 */
import { stemmer } from 'stemmer';

/** Shorter parts (`a`, `x`) are noise; longer runs are data (hashes, base64), not words. */
const MIN_TERM_CHARS = 2;
const MAX_WORD_CHARS = 40;
/** The stem cache is cleared when it grows past this, so a repository of random names cannot grow it forever. */
const MAX_CACHED_STEMS = 200_000;

/**
 * English glue words and keywords so common in code that they tell no file from another. Kept short: BM25's
 * inverse document frequency already weighs common words down; this only saves memory and time.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be by can do does for from has have how i if in into is it its me my not of on or ' +
    'so that the then there these this those to use used uses using was we what when where which who why ' +
    'will with you your const let var return function def else elif import export default new null true ' +
    'false none self void int'
  ).split(' '),
);

const stems = new Map<string, string>();

/** One word as a term, or undefined for a stop word or noise. */
function termOf(word: string): string | undefined {
  const lower = word.toLowerCase();
  if (lower.length < MIN_TERM_CHARS || STOP_WORDS.has(lower) || /^\d+$/.test(lower)) return undefined;
  let stem = stems.get(lower);
  if (stem === undefined) {
    if (stems.size >= MAX_CACHED_STEMS) stems.clear();
    stem = stemmer(lower);
    stems.set(lower, stem);
  }
  return stem;
}

/** `parseHTTPResponse2` → `parse`, `HTTP`, `Response`, `2`; `max_file_bytes` → `max`, `file`, `bytes`. */
export function identifierParts(identifier: string): string[] {
  return identifier.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+/g) ?? [];
}

/** Adds the terms of `text` to `into` (term → occurrences) and returns it. */
export function addTextTerms(text: string, into: Map<string, number> = new Map(), weight = 1): Map<string, number> {
  for (const [word] of text.matchAll(/[A-Za-z0-9]+/g)) {
    if (word.length > MAX_WORD_CHARS) continue;
    for (const part of identifierParts(word)) {
      const term = termOf(part);
      if (term !== undefined) into.set(term, (into.get(term) ?? 0) + weight);
    }
  }
  return into;
}

/** A question's distinct terms, in order of first appearance. */
export function questionTerms(question: string): string[] {
  return [...addTextTerms(question).keys()];
}
