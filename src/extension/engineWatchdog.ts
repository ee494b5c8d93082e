import type { Disposable } from 'vscode-jsonrpc';

export interface EngineWatchdogOptions {
  /** Time from one answered ping to the next ping. */
  intervalMs: number;
  /** Time a ping may go unanswered before the engine counts as hung. */
  timeoutMs: number;
  /** The bound while a model loads: converting weights holds the engine's thread for long stretches. */
  loadTimeoutMs: number;
}

export const defaultWatchdog: EngineWatchdogOptions = {
  intervalMs: 10_000,
  timeoutMs: 30_000,
  loadTimeoutMs: 10 * 60_000,
};

/**
 * Pings one engine process on a schedule, busy or idle, and calls `onHang` once when a ping goes unanswered
 * for longer than `bound()` says: a process that hangs without dying is otherwise never noticed. A ping that
 * fails (the process died) stops it quietly; the exit is the supervisor's to handle.
 */
export class EngineWatchdog implements Disposable {
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly ping: () => Promise<unknown>,
    private readonly intervalMs: number,
    private readonly bound: () => number,
    private readonly onHang: (silentMs: number) => void,
  ) {
    this.schedule();
  }

  private schedule(): void {
    if (this.disposed) return;
    this.timer = setTimeout(() => void this.check(), this.intervalMs);
  }

  private async check(): Promise<void> {
    const sentAt = Date.now();
    let answered = false;
    const expire = (): void => {
      if (answered || this.disposed) return;
      const silentMs = Date.now() - sentAt;
      const bound = this.bound();
      if (silentMs < bound) {
        this.timer = setTimeout(expire, bound - silentMs);
        return;
      }
      this.dispose();
      this.onHang(silentMs);
    };
    this.timer = setTimeout(expire, this.bound());
    try {
      await this.ping();
    } catch {
      this.dispose();
      return;
    }
    answered = true;
    clearTimeout(this.timer);
    this.schedule();
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
  }
}
