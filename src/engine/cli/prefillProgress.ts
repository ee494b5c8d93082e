import { ProgressLine } from './progressLine';

/** A large model computes one prefill chunk in seconds: redraw in between so the line does not look stuck. */
const REDRAW_MS = 1000;

/**
 * Prefill progress on stderr: percentage, tokens and time left, from the decoder's chunk runs against the
 * prompt's size. The rate is measured on the chunks done so far; between two chunks the line moves on at
 * that rate, but never past the end of the chunk running.
 */
export class PrefillProgress {
  private readonly line: ProgressLine;
  private readonly startedAt = performance.now();
  private readonly timer: NodeJS.Timeout;
  private computed = 0;
  private lastChunk = 0;
  private lastChunkAt = this.startedAt;
  private finished = false;

  constructor(
    /** Prompt tokens to compute (an estimate: the template's own tokens are not known here). */
    private readonly total: number,
    stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.line = new ProgressLine('prefill', stream);
    this.timer = setInterval(() => this.draw(), REDRAW_MS).unref();
    this.draw();
  }

  /** A decoder run finished, having computed `tokens` more. */
  chunk(tokens: number): void {
    if (this.finished) return;
    this.computed += tokens;
    this.lastChunk = tokens;
    this.lastChunkAt = performance.now();
    this.draw();
  }

  /** The first token is out (or the request ended): prefill is over. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    clearInterval(this.timer);
    this.line.done(`done in ${((performance.now() - this.startedAt) / 1000).toFixed(1)} s`);
  }

  private draw(): void {
    const now = performance.now();
    const elapsed = `${((now - this.startedAt) / 1000).toFixed(1)} s`;
    const total = this.total.toLocaleString('en-US');
    if (this.computed === 0) {
      this.line.show(`  0%  0 / ${total} tokens  ${elapsed}, measuring speed…`, 0);
      return;
    }
    const perMs = this.computed / Math.max(this.lastChunkAt - this.startedAt, 1);
    const estimated = Math.min(
      this.computed + perMs * (now - this.lastChunkAt),
      this.computed + this.lastChunk,
      this.total,
    );
    const fraction = Math.min(estimated / this.total, 1);
    const left = Math.max(0, this.total - estimated) / perMs / 1000;
    this.line.show(
      `${(fraction * 100).toFixed(0).padStart(3)}%  ${Math.round(estimated).toLocaleString('en-US')} / ${total} tokens  ${elapsed}, ~${left.toFixed(0)} s left (${(perMs * 1000).toFixed(0)} tokens/s)`,
      fraction,
    );
  }
}
