/**
 * Progress on stderr: one line redrawn in place on a terminal, a line per 10% otherwise (CI logs).
 * stdout stays free for the command's result.
 */
export class ProgressLine {
  private lastDecile = -1;
  private readonly startedAt = Date.now();

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, unit = ''): void {
    const fraction = total > 0 ? Math.min(done / total, 1) : 0;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    this.show(
      `${(fraction * 100).toFixed(0).padStart(3)}%  ${formatAmount(done, unit)} / ${formatAmount(total, unit)}  ${elapsed.toFixed(1)} s, ~${eta.toFixed(0)} s left`,
      fraction,
    );
  }

  /** Draws `detail` after the label, as update does, for callers that measure progress their own way. */
  show(detail: string, fraction: number): void {
    const text = `${this.label} ${detail}`;
    if (this.stream.isTTY) {
      this.stream.write(`\r${text}\x1b[K`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile) this.stream.write(`${text}\n`);
      this.lastDecile = decile;
    }
  }

  done(message: string): void {
    this.stream.write(`${this.stream.isTTY ? '\r\x1b[K' : ''}${this.label} ${message}\n`);
  }
}

export function formatAmount(value: number, unit: string): string {
  if (unit !== 'B') return `${value}${unit}`;
  if (value >= 1 << 30) return `${(value / (1 << 30)).toFixed(2)} GiB`;
  if (value >= 1 << 20) return `${(value / (1 << 20)).toFixed(1)} MiB`;
  return `${(value / 1024).toFixed(0)} KiB`;
}
