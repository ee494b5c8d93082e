import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTurnStats } from '../../src/webview/statsLine';
import type { TurnStats } from '../../src/shared/webviewProtocol';

const stats: TurnStats = {
  filesWhole: 12,
  filesOutlined: 30,
  filesListed: 0,
  contextTokens: 8_100,
  promptTokens: 8_400,
  cachedTokens: 2_600,
  completionTokens: 40,
  prefillTokensPerSecond: 0,
  decodeTokensPerSecond: 0,
  timeToFirstTokenMs: 0,
};

describe('formatTurnStats', () => {
  it('says how many prompt tokens came from memory, from disk and were computed', () => {
    assert.equal(
      formatTurnStats({ ...stats, diskTokens: 2_432 }),
      '12 files whole, 30 outlined · 8,100 context tokens · prompt 8,400 tokens (168 from memory, 2,432 from disk, 5,800 computed)',
    );
    assert.equal(
      formatTurnStats({ ...stats, diskTokens: 0 }),
      '12 files whole, 30 outlined · 8,100 context tokens · prompt 8,400 tokens (2,600 from memory, 0 from disk, 5,800 computed)',
    );
  });

  it('says only what was cached when the engine keeps nothing on disk', () => {
    assert.equal(
      formatTurnStats(stats),
      '12 files whole, 30 outlined · 8,100 context tokens · prompt 8,400 tokens (2,600 cached)',
    );
  });
});
