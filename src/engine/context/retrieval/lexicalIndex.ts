/**
 * BM25 over the files of an index, each a bag of weighted terms (searchBag.ts), updated file by file.
 * Written here rather than taken from a search library: the bags are computed on the parser threads and
 * persisted with the index, so all this needs is postings and lengths, patched in place on every edit.
 */

/**
 * Term-frequency saturation and length normalisation, tuned on the labelled questions (bench/context): code
 * repeats its subject's words more than prose does, and long files are more often the answer than not.
 */
const K1 = 2;
const B = 0.5;

export class LexicalIndex {
  /** Term → path → weighted frequency. */
  private readonly postings = new Map<string, Map<string, number>>();
  private readonly bags = new Map<string, ReadonlyMap<string, number>>();
  private readonly lengths = new Map<string, number>();
  private totalLength = 0;

  get documentCount(): number {
    return this.lengths.size;
  }

  /** Adds or replaces the document at `path`. */
  set(path: string, bag: ReadonlyMap<string, number>): void {
    if (this.bags.get(path) === bag) return;
    this.remove(path);
    let length = 0;
    for (const [term, frequency] of bag) {
      let posting = this.postings.get(term);
      if (posting === undefined) this.postings.set(term, (posting = new Map<string, number>()));
      posting.set(path, frequency);
      length += frequency;
    }
    this.bags.set(path, bag);
    this.lengths.set(path, length);
    this.totalLength += length;
  }

  remove(path: string): void {
    const bag = this.bags.get(path);
    if (bag === undefined) return;
    for (const term of bag.keys()) {
      const posting = this.postings.get(term)!;
      posting.delete(path);
      if (posting.size === 0) this.postings.delete(term);
    }
    this.totalLength -= this.lengths.get(path)!;
    this.bags.delete(path);
    this.lengths.delete(path);
  }

  /** Inverse document frequency, never negative (Lucene's form). */
  idf(term: string): number {
    const documents = this.postings.get(term)?.size ?? 0;
    return Math.log(1 + (this.documentCount - documents + 0.5) / (documents + 0.5));
  }

  /** BM25 score of every document that holds at least one of `terms`. */
  search(terms: readonly string[]): Map<string, number> {
    const scores = new Map<string, number>();
    const averageLength = this.totalLength / Math.max(1, this.documentCount);
    for (const term of new Set(terms)) {
      const posting = this.postings.get(term);
      if (posting === undefined) continue;
      const idf = this.idf(term);
      for (const [path, frequency] of posting) {
        const score = termScore(idf, frequency, this.lengths.get(path)!, averageLength);
        scores.set(path, (scores.get(path) ?? 0) + score);
      }
    }
    return scores;
  }

  /**
   * BM25 score of a bag that is not in the index (a definition inside a file), with the index's document
   * frequencies and the given average length (that of the bag's own kind: definitions are shorter than files).
   */
  scoreBag(bag: ReadonlyMap<string, number>, terms: readonly string[], averageLength: number): number {
    let score = 0;
    const length = bagLength(bag);
    for (const term of new Set(terms)) {
      const frequency = bag.get(term);
      if (frequency !== undefined) score += termScore(this.idf(term), frequency, length, averageLength);
    }
    return score;
  }
}

export function bagLength(bag: ReadonlyMap<string, number>): number {
  let length = 0;
  for (const frequency of bag.values()) length += frequency;
  return length;
}

function termScore(idf: number, frequency: number, length: number, averageLength: number): number {
  return (idf * frequency * (K1 + 1)) / (frequency + K1 * (1 - B + (B * length) / averageLength));
}
