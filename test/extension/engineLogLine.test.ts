import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseEngineLogLine } from '../../src/extension/engineLogLine';

describe('parseEngineLogLine', () => {
  it("takes the engine's timestamp and level off its lines, so the log shows one of each", () => {
    assert.deepEqual(parseEngineLogLine('2026-12-07T14:44:59.123Z [info] model loaded in 1.2 s'), {
      level: 'info',
      message: 'model loaded in 1.2 s',
    });
    assert.deepEqual(parseEngineLogLine('2026-12-07T14:44:59Z [error] chat failed: [ContextTooLarge] too long'), {
      level: 'error',
      message: 'chat failed: [ContextTooLarge] too long',
    });
    assert.deepEqual(parseEngineLogLine('2026-12-07T14:44:59.1Z [debug] step'), { level: 'debug', message: 'step' });
  });

  it('keeps any other line whole, as info', () => {
    for (const line of ['    at run (engine.js:1:2)', '[hearth] engine 0.1.0 ready (pid 7)', '2026-12-07 [info] x'])
      assert.deepEqual(parseEngineLogLine(line), { level: 'info', message: line });
  });
});
