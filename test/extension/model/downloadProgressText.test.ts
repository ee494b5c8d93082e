import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  downloadPercent,
  downloadProgressMessage,
  formatBytes,
  formatDuration,
} from '../../../src/extension/model/downloadProgressText';

describe('downloadProgressMessage', () => {
  it('shows percent, bytes, speed and time left', () => {
    assert.equal(
      downloadProgressMessage({ bytesDone: 1.93e9, bytesTotal: 5.2e9, bytesPerSecond: 12.34e6, etaSeconds: 265 }),
      '37% · 1.9 GB of 5.2 GB · 12.3 MB/s · 4 min left',
    );
  });

  it('leaves out the speed and time before there is one, and the time once done', () => {
    assert.equal(
      downloadProgressMessage({ bytesDone: 0, bytesTotal: 1e9, bytesPerSecond: 0, etaSeconds: null }),
      '0% · 0 B of 1.0 GB',
    );
    assert.equal(
      downloadProgressMessage({ bytesDone: 1e9, bytesTotal: 1e9, bytesPerSecond: 2e6, etaSeconds: 0 }),
      '100% · 1.0 GB of 1.0 GB · 2.0 MB/s',
    );
  });

  it('never says 100% before the last byte', () => {
    assert.deepEqual(
      [
        downloadPercent({ bytesDone: 999, bytesTotal: 1000 }),
        downloadPercent({ bytesDone: 1000, bytesTotal: 1000 }),
        downloadPercent({ bytesDone: 0, bytesTotal: 0 }),
      ],
      [99, 100, 100],
    );
  });

  it('formats sizes in decimal units and durations in s, min and h', () => {
    assert.deepEqual(
      [formatBytes(512), formatBytes(64_000), formatBytes(5.25e6), formatBytes(5.2e9)],
      ['512 B', '64 kB', '5.3 MB', '5.2 GB'],
    );
    assert.deepEqual(
      [formatDuration(0.2), formatDuration(59), formatDuration(90), formatDuration(3 * 3600 + 125)],
      ['1 s', '59 s', '2 min', '3 h 2 min'],
    );
  });
});
