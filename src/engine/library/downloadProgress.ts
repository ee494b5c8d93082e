/** How far a download is, as reported to its onProgress callback. */
export interface DownloadProgress {
  /** Bytes verified or received, including what an earlier run left (resumed parts, files in place). */
  bytesDone: number;
  bytesTotal: number;
  /** Over the last few seconds, counting only bytes received in this run. */
  bytesPerSecond: number;
  /** Seconds left at the current speed; undefined until there is a speed to go by. */
  etaSeconds: number | undefined;
  filesDone: number;
  filesTotal: number;
  /** Files being transferred right now. */
  activeFiles: string[];
}

/** Speed is measured over this window, so a stall shows as a falling speed rather than a frozen one. */
const SPEED_WINDOW_MS = 5000;
const SAMPLE_EVERY_MS = 100;

/**
 * Adds up the progress of files downloading at once and reports it at most every `intervalMs` (a JSON-RPC
 * notification or a terminal redraw per 64 KiB chunk would cost more than the chunk).
 */
export class DownloadProgressTracker {
  private bytesDone = 0;
  private filesDone = 0;
  private readonly active = new Set<string>();
  /** [time, cumulative bytes received in this run] samples within the speed window. */
  private readonly samples: [number, number][] = [];
  private received = 0;
  private lastReport = -Infinity;

  constructor(
    private readonly bytesTotal: number,
    private readonly filesTotal: number,
    private readonly report: ((progress: DownloadProgress) => void) | undefined,
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.samples.push([now(), 0]);
  }

  /** Bytes received in this run (not counting what was already on disk). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Bytes that need no transfer: a resumed part, or a file already in place. */
  addPresent(bytes: number): void {
    this.bytesDone += bytes;
    this.maybeReport();
  }

  addReceived(bytes: number): void {
    this.bytesDone += bytes;
    this.received += bytes;
    this.maybeReport();
  }

  /** Bytes thrown away: a stale or corrupt part that will be fetched again. */
  discard(bytes: number): void {
    this.bytesDone -= bytes;
    this.maybeReport();
  }

  fileStarted(path: string): void {
    this.active.add(path);
  }

  fileFinished(path: string): void {
    this.active.delete(path);
    this.filesDone++;
    this.maybeReport();
  }

  fileStopped(path: string): void {
    this.active.delete(path);
  }

  snapshot(): DownloadProgress {
    const now = this.now();
    while (this.samples.length > 1 && now - this.samples[1][0] >= SPEED_WINDOW_MS) this.samples.shift();
    const [since, receivedThen] = this.samples[0];
    const seconds = (now - since) / 1000;
    const bytesPerSecond = seconds > 0 ? (this.received - receivedThen) / seconds : 0;
    const left = Math.max(0, this.bytesTotal - this.bytesDone);
    return {
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      bytesPerSecond,
      etaSeconds: left === 0 ? 0 : bytesPerSecond > 0 ? left / bytesPerSecond : undefined,
      filesDone: this.filesDone,
      filesTotal: this.filesTotal,
      activeFiles: [...this.active],
    };
  }

  /** Reports now, whatever the interval (the first and the last report). */
  flush(): void {
    this.lastReport = this.now();
    this.report?.(this.snapshot());
  }

  private maybeReport(): void {
    const now = this.now();
    if (now - this.samples[this.samples.length - 1][0] >= SAMPLE_EVERY_MS) this.samples.push([now, this.received]);
    if (now - this.lastReport >= this.intervalMs) this.flush();
  }
}
