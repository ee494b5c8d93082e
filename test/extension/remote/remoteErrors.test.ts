/**
 * A remote server's failures as the UI offers them: each one's typed error, and the action that fixes it
 * (Set API Key, Select Model, Open Settings at the URL, Retry).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import OpenAI from 'openai';
import { describeError } from '../../../src/extension/errorDescription';
import { remoteError } from '../../../src/extension/remote/remoteErrors';
import { EngineError } from '../../../src/shared/engineError';

const target = { baseUrl: 'http://gpu-box:8000/v1', model: 'Qwen/Qwen3-4B' };

function statusError(status: number, message: string, headers: Record<string, string> = {}) {
  return OpenAI.APIError.generate(status, { error: { message } }, undefined, new Headers(headers));
}

function described(error: unknown) {
  const typed = remoteError(error, target);
  assert.ok(typed instanceof EngineError);
  return { kind: typed.kind, ...describeError(typed) };
}

describe('remote server failures in the UI', () => {
  it('offers Set API Key for a refused key, never Open Settings', () => {
    assert.deepEqual(described(statusError(401, 'Invalid API key')), {
      kind: 'Unauthorized',
      message:
        'The model server at http://gpu-box:8000/v1 refused the API key (401). Run "Hearth: Set API Key" with the key the server expects.',
      actions: ['setApiKey'],
      setting: 'hearth.engine.apiKey',
    });
  });

  it('offers Select Model for a model the server does not have', () => {
    const { kind, actions, setting } = described(statusError(404, 'The model `qwen-72b` does not exist.'));
    assert.deepEqual(
      { kind, actions, setting },
      {
        kind: 'ModelNotFound',
        actions: ['selectModel'],
        setting: 'hearth.engine.model',
      },
    );
  });

  it('offers the URL setting and Retry when nothing answers', () => {
    const down = new OpenAI.APIConnectionError({ cause: new Error('connect ECONNREFUSED 127.0.0.1:8000') });
    assert.deepEqual(described(down), {
      kind: 'RemoteUnreachable',
      message:
        'The model server at http://gpu-box:8000/v1 did not answer (connect ECONNREFUSED 127.0.0.1:8000). Start the server, or fix hearth.engine.url (the base URL ends with /v1).',
      actions: ['openSettings', 'retry'],
      setting: 'hearth.engine.url',
    });
  });

  it('offers Retry for a busy server (with its retry-after) and for a 5xx', () => {
    const busy = described(statusError(429, 'Too many requests', { 'retry-after': '12' }));
    assert.deepEqual([busy.kind, busy.actions], ['TooManyRequests', ['retry']]);
    assert.match(busy.message, /retry after 12 s/);
    const failed = described(statusError(503, 'Service Unavailable'));
    assert.deepEqual([failed.kind, failed.actions], ['RemoteServerError', ['retry']]);
  });

  it('points a conversation too long for the server at the budget setting', () => {
    const long = described(
      statusError(
        400,
        "This model's maximum context length is 32768 tokens. However, you requested 40000 tokens in the messages.",
      ),
    );
    assert.deepEqual(
      [long.kind, long.actions, long.setting],
      ['ContextTooLarge', ['openSettings'], 'hearth.context.maxTokens'],
    );
  });
});
