import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatUsageLine } from '../../../src/engine/cli/generationStats';
import type { ChatResult, GenerationUsage } from '../../../src/shared/protocol';

const usage: GenerationUsage = {
  promptTokens: 9000,
  cachedTokens: 8200,
  completionTokens: 12,
  prefillTokensPerSecond: 50,
  decodeTokensPerSecond: 20.25,
  timeToFirstTokenMs: 1500,
};
const result = (overrides: Partial<GenerationUsage>) =>
  ({ usage: { ...usage, ...overrides }, finishReason: 'stop' }) as ChatResult;

describe('formatUsageLine', () => {
  it('says how many cached prompt tokens came from disk, when any did', () => {
    assert.equal(
      formatUsageLine(result({ diskTokens: 8192 })),
      '9,000 prompt tokens (8,200 cached, 8,192 of them from disk), 12 generated (stop); prefill 50.0 tokens/s, decode 20.3 tokens/s; first token 1.50 s',
    );
    assert.equal(
      formatUsageLine(result({ diskTokens: 0 })),
      '9,000 prompt tokens (8,200 cached), 12 generated (stop); prefill 50.0 tokens/s, decode 20.3 tokens/s; first token 1.50 s',
    );
  });
});
