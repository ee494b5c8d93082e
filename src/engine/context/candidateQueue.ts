/**
 * The files a walk has found and that are still to be read, handed out in the order found while the walk goes
 * on: reading and parsing overlap the walk instead of waiting for it.
 */
import { languageById } from './languages';
import type { FileCandidate } from './workspaceScanner';

export class CandidateQueue {
  private readonly items: FileCandidate[] = [];
  private next = 0;
  private ended = false;
  /** The next push or end, and how to announce it; shared by every waiter. */
  private change: { settled: Promise<void>; wake: () => void } | undefined;
  /** Files found with a grammar, which will be parsed. */
  private parseable = 0;

  /** Files found so far (all of them once the walk ended). */
  get size(): number {
    return this.items.length;
  }

  get parseableFiles(): number {
    return this.parseable;
  }

  get walkEnded(): boolean {
    return this.ended;
  }

  push(candidate: FileCandidate): void {
    this.items.push(candidate);
    if (languageById(candidate.languageId).grammar !== undefined) this.parseable++;
    this.notify();
  }

  /** Call when the walk is over, whether it finished or failed. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** Resolves once `parseable` files with a grammar were found, or the walk ended. */
  async waitForParseable(parseable: number): Promise<void> {
    while (!this.ended && this.parseable < parseable) await this.nextChange();
  }

  /** The next file in walk order, once found; undefined when the walk ended and every file was handed out. */
  async take(): Promise<FileCandidate | undefined> {
    while (this.next === this.items.length && !this.ended) await this.nextChange();
    return this.next < this.items.length ? this.items[this.next++] : undefined;
  }

  private nextChange(): Promise<void> {
    if (this.change === undefined) {
      let wake!: () => void;
      const settled = new Promise<void>((resolve) => (wake = resolve));
      this.change = { settled, wake };
    }
    return this.change.settled;
  }

  private notify(): void {
    const change = this.change;
    this.change = undefined;
    change?.wake();
  }
}
