import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DownloadProgressTracker, type DownloadProgress } from '../../../src/engine/library/downloadProgress';

describe('DownloadProgressTracker', () => {
  function tracker(intervalMs: number) {
    let now = 0;
    const reports: DownloadProgress[] = [];
    const progress = new DownloadProgressTracker(
      1_000_000,
      2,
      (p) => reports.push(p),
      intervalMs,
      () => now,
    );
    return { progress, reports, advance: (ms: number) => (now += ms) };
  }

  it('counts resumed bytes as done but measures speed and ETA on bytes received in this run', () => {
    const { progress, advance } = tracker(0);
    progress.addPresent(400_000);
    progress.fileStarted('a');
    for (let i = 0; i < 10; i++) {
      advance(100);
      progress.addReceived(10_000);
    }
    assert.deepEqual(progress.snapshot(), {
      bytesDone: 500_000,
      bytesTotal: 1_000_000,
      bytesPerSecond: 100_000,
      etaSeconds: 5,
      filesDone: 0,
      filesTotal: 2,
      activeFiles: ['a'],
    });
    assert.equal(progress.bytesReceived, 100_000);
  });

  it('measures speed over the last five seconds, so a stall shows', () => {
    const { progress, advance } = tracker(0);
    advance(1000);
    progress.addReceived(500_000);
    advance(10_000);
    progress.addReceived(1);
    // The 500 KB burst is outside the window: 1 byte in the 10 s since the last sample before it.
    assert.equal(progress.snapshot().bytesPerSecond, 0.1);
  });

  it('reports at most once per interval, and takes back discarded bytes', () => {
    const { progress, reports, advance } = tracker(250);
    progress.flush();
    progress.addReceived(100);
    advance(100);
    progress.addReceived(100);
    advance(200);
    progress.discard(200);
    progress.fileFinished('a');
    assert.deepEqual(
      reports.map((p) => [p.bytesDone, p.filesDone]),
      [
        [0, 0],
        [0, 0],
      ],
    );
    progress.fileFinished('b');
    progress.flush();
    assert.deepEqual(reports.at(-1)?.filesDone, 2);
    // 200 bytes received in 0.3 s, 1 MB left: ~1,500 s, although the discarded bytes no longer count as done.
    assert.equal(Math.round(reports.at(-1)?.etaSeconds ?? 0), 1500);
  });
});
