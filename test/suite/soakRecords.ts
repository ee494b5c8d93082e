/**
 * How each request of a soak started and ended, and the kills between: the counts by outcome, the failures and
 * whether a kill explains each, the slowest requests. Free of the VS Code API.
 */
import type { PlannedRequest } from './soakPlan';
import type { OutcomeCounts } from './soakReport';

export interface RequestRecord {
  index: number;
  kind: PlannedRequest['kind'];
  startedAt: number;
  endedAt: number;
  outcome: 'answered' | 'empty' | 'cancelled' | 'failed' | 'stuck';
  reason?: string;
}

/** From a kill to the first ping the restarted engine answered. */
interface KillWindow {
  from: number;
  to: number;
}

export class SoakRecords {
  private readonly records: RequestRecord[] = [];
  private readonly running = new Set<number>();
  private readonly killWindows: KillWindow[] = [];
  private readonly waiters: { count: number; resolve: () => void }[] = [];

  get started(): number {
    return this.records.length;
  }

  get inFlight(): number {
    return this.running.size;
  }

  begin(index: number, kind: RequestRecord['kind']): RequestRecord {
    const record: RequestRecord = { index, kind, startedAt: Date.now(), endedAt: 0, outcome: 'stuck' };
    this.records.push(record);
    this.running.add(index);
    for (const waiter of this.waiters.filter((candidate) => candidate.count <= this.records.length)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return record;
  }

  end(record: RequestRecord, outcome: RequestRecord['outcome'], reason?: string): void {
    record.endedAt = Date.now();
    record.outcome = outcome;
    if (reason !== undefined) record.reason = reason;
    this.running.delete(record.index);
  }

  /** Resolves once `count` requests have started, or the soak has ended (releaseWaiters). */
  whenStarted(count: number): Promise<void> {
    if (this.records.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }

  releaseWaiters(): void {
    for (const waiter of this.waiters.splice(0)) waiter.resolve();
  }

  killed(at: number, restartedAt: number): void {
    this.killWindows.push({ from: at, to: restartedAt });
  }

  counts(kind: RequestRecord['kind']): OutcomeCounts {
    const counts: OutcomeCounts = { answered: 0, empty: 0, cancelled: 0, failed: {}, stuck: 0, maxMs: 0 };
    for (const record of this.records.filter((candidate) => candidate.kind === kind)) {
      counts.maxMs = Math.max(counts.maxMs, record.endedAt - record.startedAt);
      if (record.outcome === 'failed') {
        const reason = record.reason ?? 'no message';
        counts.failed[reason] = (counts.failed[reason] ?? 0) + 1;
      } else if (record.outcome === 'stuck') counts.stuck++;
      else counts[record.outcome]++;
    }
    return counts;
  }

  /** Every failure, and whether a kill explains it: the request was in flight between a kill and the restart. */
  failures(): { line: string; explained: boolean }[] {
    return this.records
      .filter((record) => record.outcome === 'failed')
      .map((record) => ({
        line: `${this.describe(record)}: ${record.reason ?? 'no message'}`,
        explained: this.killWindows.some(({ from, to }) => record.startedAt <= to && record.endedAt >= from),
      }));
  }

  slowest(count: number): string[] {
    return this.records
      .filter((record) => record.outcome !== 'stuck')
      .sort((a, b) => b.endedAt - b.startedAt - (a.endedAt - a.startedAt))
      .slice(0, count)
      .map((record) => this.describe(record));
  }

  /** A request's number, kind, outcome and time, and when it started and ended relative to the nearest kill. */
  private describe(record: RequestRecord): string {
    const near = this.killWindows.reduce<KillWindow | undefined>(
      (best, window) =>
        best === undefined || Math.abs(window.from - record.startedAt) < Math.abs(best.from - record.startedAt)
          ? window
          : best,
      undefined,
    );
    const relative = (at: number) => `${at >= (near?.from ?? 0) ? '+' : ''}${at - (near?.from ?? 0)} ms`;
    const kill = near ? `, kill ${relative(record.startedAt)} → ${relative(record.endedAt)}` : '';
    return `#${record.index} ${record.kind} ${record.outcome} in ${record.endedAt - record.startedAt} ms${kill}`;
  }
}
