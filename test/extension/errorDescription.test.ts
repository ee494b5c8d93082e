import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc';
import { CancelledError, isCancellation, raceCancellation } from '../../src/extension/cancellation';
import { EngineFailedError } from '../../src/extension/engineFailedError';
import { EngineHungError } from '../../src/extension/engineHungError';
import {
  asSentence,
  describeError,
  EngineErrorWithSetting,
  loadContextSetting,
} from '../../src/extension/errorDescription';
import { EngineError } from '../../src/shared/engineError';
import { EngineErrorCode, MODEL_ROLES, type KvCacheChoice } from '../../src/shared/protocol';

describe('describeError', () => {
  it('offers Select Model for a missing or unusable model, in whole sentences', () => {
    assert.deepEqual(
      describeError(
        new EngineError(EngineErrorCode.ModelNotFound, 'No model is chosen.', 'Run "Hearth: Select Model".'),
      ),
      {
        message: 'No model is chosen. Run "Hearth: Select Model".',
        actions: ['selectModel'],
        setting: 'hearth.model.path',
      },
    );
    // The engine's CheckpointError as the issue saw it: no full stop between the message and the hint.
    assert.deepEqual(
      describeError(
        new EngineError(
          EngineErrorCode.CheckpointInvalid,
          'config.json: is missing: this is not a Hugging Face checkpoint folder',
          'Choose the folder that holds config.json',
        ),
      ),
      {
        message:
          'config.json: is missing: this is not a Hugging Face checkpoint folder. Choose the folder that holds config.json.',
        actions: ['selectModel', 'showLogs'],
        setting: 'hearth.model.path',
      },
    );
    assert.deepEqual(describeError(new EngineError(EngineErrorCode.UnsupportedModel, 'No chat template!')).actions, [
      'selectModel',
    ]);
  });

  it('ends a sentence only where it has no end mark', () => {
    assert.deepEqual(
      ['Done.', 'Really?', 'Wait…', 'He said "go."', '(see the logs.)', 'no stop', '  spaced  ', ''].map(asSentence),
      ['Done.', 'Really?', 'Wait…', 'He said "go."', '(see the logs.)', 'no stop.', 'spaced.', ''],
    );
  });

  it('points a context that is too large at the budget setting', () => {
    const error = new EngineError(
      EngineErrorCode.ContextTooLarge,
      'The prompt has 40000 tokens.',
      'Shorten the conversation.',
    );
    assert.deepEqual(describeError(error), {
      message: 'The prompt has 40000 tokens. Shorten the conversation.',
      actions: ['openSettings'],
      setting: 'hearth.context.maxTokens',
    });
  });

  it("points a load's context that does not fit at the setting that fixes it: the KV cache, the context length, or the completion model", () => {
    const error = new EngineError(
      EngineErrorCode.LoadContextTooLarge,
      'A context of 262144 tokens needs 72.00 GiB of KV cache.',
      'The 8-bit KV cache (int8) fits this context.',
    );
    const described = describeError(new EngineErrorWithSetting(error, loadContextSetting('chat', 'float32')));
    assert.deepEqual(described, {
      message: `${error.message} ${error.hint}`,
      actions: ['openSettings'],
      setting: 'hearth.engine.kvCache',
    });
    assert.deepEqual(describeError(error).setting, 'hearth.model.contextLength', 'unwrapped: the context length');
    assert.deepEqual(
      MODEL_ROLES.map((role) =>
        [undefined, 'auto', 'int8', 'float32'].map((kv) => loadContextSetting(role, kv as KvCacheChoice | undefined)),
      ),
      [
        [
          'hearth.model.contextLength',
          'hearth.model.contextLength',
          'hearth.model.contextLength',
          'hearth.engine.kvCache',
        ],
        [
          'hearth.model.contextLength',
          'hearth.model.contextLength',
          'hearth.model.contextLength',
          'hearth.engine.kvCache',
        ],
        [
          'hearth.model.completionPath',
          'hearth.model.completionPath',
          'hearth.model.completionPath',
          'hearth.engine.kvCache',
        ],
      ],
    );
  });

  it('says the engine stopped when its connection went away mid-answer', () => {
    const lost = EngineError.fromResponseError(
      new ResponseError(-32097, 'Pending response rejected since connection got disposed'),
    );
    assert.deepEqual(describeError(lost), {
      message: 'The engine stopped while answering; Hearth restarts it. The answer so far is kept.',
      actions: ['retry', 'showLogs'],
    });
  });

  it('says the engine hung and was restarted when the watchdog killed it mid-answer', () => {
    assert.deepEqual(describeError(new EngineHungError(30_000)), {
      message: 'The engine stopped responding for 30 s and was restarted. The answer so far is kept.',
      actions: ['retry', 'showLogs'],
    });
  });

  it('offers Restart and Show Logs once the restart budget is spent', () => {
    assert.deepEqual(describeError(new EngineFailedError('the engine exited unexpectedly (signal SIGKILL)')), {
      message:
        'The Hearth engine failed: the engine exited unexpectedly (signal SIGKILL). Run "Hearth: Restart Engine".',
      actions: ['restartEngine', 'showLogs'],
    });
  });

  it('sends other failures to the logs', () => {
    assert.deepEqual(describeError(new Error('The Hearth engine failed: boom.')), {
      message: 'The Hearth engine failed: boom.',
      actions: ['showLogs'],
    });
    assert.deepEqual(describeError('odd'), { message: 'odd', actions: ['showLogs'] });
    assert.deepEqual(describeError(new EngineError(EngineErrorCode.TooManyRequests, 'Busy.')).actions, ['retry']);
  });
});

describe('cancellation', () => {
  function source() {
    const listeners: (() => void)[] = [];
    const token = {
      isCancellationRequested: false,
      onCancellationRequested: (listener: () => void) => (listeners.push(listener), { dispose: () => undefined }),
    };
    return {
      token,
      cancel: () => ((token.isCancellationRequested = true), listeners.forEach((listener) => listener())),
    };
  }

  it('stops waiting (not the work) when cancelled, as an outcome', async () => {
    const { token, cancel } = source();
    const waiting = raceCancellation(new Promise(() => undefined), token as never);
    cancel();
    await assert.rejects(waiting, CancelledError);
    assert.equal(isCancellation(new Error('Engine error in context/pack: aborted'), token as never), true);
    assert.equal(isCancellation(new Error('boom')), false);
  });

  it("counts the engine's Cancelled answer as a cancellation, and no other code", () => {
    assert.equal(isCancellation(new EngineError(EngineErrorCode.Cancelled, 'Loading x was cancelled.')), true);
    assert.equal(isCancellation(new EngineError(EngineErrorCode.ShuttingDown, 'The engine is stopping.')), false);
    assert.equal(isCancellation(new CancelledError()), true);
  });

  it('passes results and errors through', async () => {
    const { token } = source();
    assert.equal(await raceCancellation(Promise.resolve(3), token as never), 3);
    await assert.rejects(raceCancellation(Promise.reject(new Error('boom')), token as never), /boom/);
  });
});
