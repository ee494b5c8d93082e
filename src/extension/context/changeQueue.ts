import type { ContextFileChange } from '../../shared/protocol';

export type ChangeKind = ContextFileChange['kind'];

export interface ChangeQueueOptions {
  /** Quiet time after the last change before a batch goes out. */
  delayMs: number;
  /** A steady stream of changes (typing, a build) still goes out this long after its first change. */
  maxDelayMs: number;
  /** Sends one batch, paths in the order they first changed; the latest kind per path. */
  send: (changes: readonly [path: string, kind: ChangeKind][]) => Promise<void>;
  /** A failed batch is reported here and dropped: the next index reads the disk again anyway. */
  onError: (error: unknown) => void;
}

/**
 * Debounces and batches file changes for `context/update`: one entry per path (the latest kind wins), sent
 * after a quiet period or a maximum delay, one batch at a time. Free of the VS Code API.
 */
export class ChangeQueue {
  private pending = new Map<string, ChangeKind>();
  private timer: NodeJS.Timeout | undefined;
  private firstChangeAt: number | undefined;
  private sending: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly options: ChangeQueueOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.pending.size;
  }

  add(path: string, kind: ChangeKind): void {
    if (this.disposed) return;
    this.pending.delete(path); // re-inserted last: the batch keeps the order of the latest changes
    this.pending.set(path, kind);
    this.firstChangeAt ??= this.now();
    const wait = Math.min(this.options.delayMs, this.firstChangeAt + this.options.maxDelayMs - this.now());
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), Math.max(0, wait));
  }

  /** Sends what is pending now; resolves when it and every earlier batch have been sent. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstChangeAt = undefined;
    if (this.pending.size > 0) {
      const batch = [...this.pending];
      this.pending = new Map();
      this.sending = this.sending
        .then(() => this.options.send(batch))
        .catch((error: unknown) => this.options.onError(error));
    }
    return this.sending;
  }

  /** Drops what is pending (the next index reads the disk). */
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.firstChangeAt = undefined;
    this.pending.clear();
  }

  dispose(): void {
    this.disposed = true;
    this.clear();
  }
}
