import type { ContextProgressParams } from '../../shared/protocol';

/** Where indexing stands, for a progress notification: what to say, how far (0–1) and the time left when known. */
export interface IndexProgressView {
  message: string;
  fraction?: number;
  secondsLeft?: number;
}

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "about 12 s left", "about 3 min left"; under a second, "almost done". */
export function formatTimeLeft(seconds: number): string {
  if (seconds < 1) return 'almost done';
  if (seconds < 90) return `about ${Math.ceil(seconds)} s left`;
  return `about ${Math.round(seconds / 60)} min left`;
}

/** The rate is measured over at least this long and this share of the files before a time left is shown. */
const MIN_MEASURED_MS = 1_000;
const MIN_MEASURED_SHARE = 0.1;

/**
 * Turns `context/progress` notifications into a percentage and a time left. Scanning has no known total, so it
 * reports only a count; parsing measures its rate from the first parsed files on (parser threads start slowly)
 * and gives a time left only once that rate has run over a second and a tenth of the files.
 */
export class IndexProgressEstimate {
  private parsingFrom: { at: number; done: number } | undefined;

  constructor(private readonly now: () => number = Date.now) {}

  update(progress: ContextProgressParams): IndexProgressView {
    if (progress.phase === 'scanning') return { message: `Indexing: ${count.format(progress.filesFound)} files found` };
    const { filesDone, filesTotal } = progress;
    const fraction = filesTotal > 0 ? Math.min(1, filesDone / filesTotal) : 1;
    if (filesDone > 0) this.parsingFrom ??= { at: this.now(), done: filesDone };
    const elapsedMs = this.parsingFrom ? this.now() - this.parsingFrom.at : 0;
    const doneSince = this.parsingFrom ? filesDone - this.parsingFrom.done : 0;
    const secondsLeft =
      elapsedMs >= MIN_MEASURED_MS && doneSince > 0 && doneSince >= filesTotal * MIN_MEASURED_SHARE
        ? ((filesTotal - filesDone) * elapsedMs) / 1000 / doneSince
        : undefined;
    const parsed = `Indexing: ${count.format(filesDone)} of ${count.format(filesTotal)} files parsed (${Math.floor(fraction * 100)}%)`;
    return {
      message: secondsLeft === undefined ? parsed : `${parsed}, ${formatTimeLeft(secondsLeft)}`,
      fraction,
      ...(secondsLeft !== undefined && { secondsLeft }),
    };
  }
}
