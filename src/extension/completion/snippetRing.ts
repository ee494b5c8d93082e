import type { ContextSnippet } from './completionPrompt';
import type { TextLines } from './cursorWindows';

export interface RingChunk {
  /** Workspace-relative. */
  readonly path: string;
  /** The document line the chunk starts on. */
  readonly startLine: number;
  /** Whole lines joined with `\n`. */
  readonly text: string;
}

export interface RingOptions {
  /** Chunks kept. */
  readonly capacity: number;
  /** Lines per chunk. */
  readonly chunkLines: number;
}

export const DEFAULT_RING_OPTIONS: RingOptions = { capacity: 16, chunkLines: 32 };

/** Chunks at least this alike (shared lines over all lines) are one: the newer replaces the older. */
const DUPLICATE_SIMILARITY = 0.9;
/** A chunk with fewer non-blank lines says too little to be worth prompt tokens. */
const MIN_CHUNK_LINES = 3;

/**
 * A ring buffer of recently edited or viewed chunks of code, as llama.vscode keeps: snapshots taken when the user
 * leaves a place (another region, another file, a save), so the prompt's snippet block changes only at those
 * moments and the engine's prefix cache survives the keystrokes in between. Newest last.
 */
export class SnippetRing {
  private chunks: RingChunk[] = [];

  constructor(private readonly options: RingOptions = DEFAULT_RING_OPTIONS) {}

  get size(): number {
    return this.chunks.length;
  }

  /** The chunk of `chunkLines` around `line`, blank lines at its ends trimmed; undefined when it is too small. */
  chunkAround(path: string, lines: TextLines, line: number): RingChunk | undefined {
    const half = Math.floor(this.options.chunkLines / 2);
    let start = Math.max(0, Math.min(line - half, lines.lineCount - this.options.chunkLines));
    let end = Math.min(lines.lineCount, start + this.options.chunkLines);
    while (start < end && lines.line(start).trim() === '') start++;
    while (end > start && lines.line(end - 1).trim() === '') end--;
    const text: string[] = [];
    for (let i = start; i < end; i++) text.push(lines.line(i));
    if (text.filter((l) => l.trim() !== '').length < MIN_CHUNK_LINES) return undefined;
    return { path, startLine: start, text: text.join('\n') };
  }

  /** Adds a chunk as the newest; returns false when the ring already had it. */
  add(chunk: RingChunk): boolean {
    const newest = this.chunks.at(-1);
    if (newest && newest.path === chunk.path && newest.text === chunk.text) return false;
    const lines = chunk.text.split('\n').length;
    this.chunks = this.chunks.filter((old) => {
      const overlaps =
        old.path === chunk.path &&
        old.startLine < chunk.startLine + lines &&
        chunk.startLine < old.startLine + old.text.split('\n').length;
      return !overlaps && similarity(old.text, chunk.text) < DUPLICATE_SIMILARITY;
    });
    this.chunks.push(chunk);
    if (this.chunks.length > this.options.capacity) this.chunks.splice(0, this.chunks.length - this.options.capacity);
    return true;
  }

  /** Forgets a file's chunks (deleted or renamed). */
  forget(path: string): void {
    this.chunks = this.chunks.filter((chunk) => chunk.path !== path);
  }

  /**
   * Snippets for a prompt: the newest chunks that fit `budgetChars`, in ring order (oldest first, so a new chunk
   * lands at the end of the block). Chunks of the current file that overlap the lines the prompt shows anyway are
   * left out.
   */
  select(budgetChars: number, shown?: { path: string; fromLine: number; toLine: number }): ContextSnippet[] {
    const chosen: RingChunk[] = [];
    let used = 0;
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const chunk = this.chunks[i];
      const end = chunk.startLine + chunk.text.split('\n').length;
      if (shown && chunk.path === shown.path && chunk.startLine < shown.toLine && shown.fromLine < end) continue;
      if (used + chunk.text.length > budgetChars) break;
      used += chunk.text.length;
      chosen.push(chunk);
    }
    return chosen.reverse().map(({ path, text }) => ({ path, text }));
  }
}

/** Shared lines over all lines of both, as a fraction (llama.vscode's chunk similarity). */
export function similarity(a: string, b: string): number {
  const left = a.split('\n');
  const right = b.split('\n');
  const present = new Set(right);
  const common = left.filter((line) => present.has(line)).length;
  return (2 * common) / (left.length + right.length);
}
