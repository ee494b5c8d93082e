import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { errorLogLine } from '../../src/extension/errorLogLine';
import { EngineError } from '../../src/shared/engineError';
import { EngineErrorCode } from '../../src/shared/protocol';

describe('errorLogLine', () => {
  it("logs what the user saw with the engine error's kind, message and hint", () => {
    const error = new EngineError(
      EngineErrorCode.CheckpointInvalid,
      'config.json: is missing: this is not a Hugging Face checkpoint folder',
      'Choose the folder that holds config.json',
    );
    assert.equal(
      errorLogLine('config.json: is missing: this is not a Hugging Face checkpoint folder. Choose…', error),
      'config.json: is missing: this is not a Hugging Face checkpoint folder. Choose… (CheckpointInvalid: config.json: is missing: this is not a Hugging Face checkpoint folder; hint: Choose the folder that holds config.json)',
    );
  });

  it('logs an exception with its first stack frames and its causes', () => {
    const error = new TypeError('bad', { cause: new EngineError(EngineErrorCode.ContextTooLarge, 'too long') });
    error.stack =
      'TypeError: bad\n    at one (a.ts:1:1)\n    at two (b.ts:2:2)\n    at three (c.ts:3:3)\n    at four (d.ts:4:4)';
    assert.equal(
      errorLogLine('bad', error),
      'bad (TypeError: bad at one (a.ts:1:1) ← at two (b.ts:2:2) ← at three (c.ts:3:3); caused by ContextTooLarge: too long)',
    );
    assert.equal(errorLogLine('odd', 42), 'odd (42)');
  });
});
