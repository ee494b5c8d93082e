/** The server's model that the settings choose, looked up in /v1/models once per settings (a local server). */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { describeError } from '../../../src/extension/errorDescription';
import { RemoteModelLookup } from '../../../src/extension/remote/remoteModelLookup';
import { listRemoteModels } from '../../../src/extension/remote/remoteModels';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ReplayServer } from './replayServer';

const models = {
  object: 'list',
  data: [
    { id: 'qwen3:8b', object: 'model', created: 1, owned_by: 'library' },
    { id: 'Qwen/Qwen3-4B-Instruct-2507-FP8', object: 'model', created: 1, owned_by: 'vllm', max_model_len: 262_144 },
  ],
};

describe('RemoteModelLookup', () => {
  const replay = new ReplayServer();
  let baseUrl = '';
  let modelId: string | undefined;
  const settings = {
    connection: () => Promise.resolve({ baseUrl, apiKey: 'k' }),
    get modelId() {
      return modelId;
    },
  };
  before(async () => {
    baseUrl = await replay.start();
  });
  beforeEach(() => {
    replay.received.splice(0);
    replay.respond = ReplayServer.status(200, models);
  });
  after(() => replay.stop());

  it("finds the configured model with the server's context, asking the server once until reset", async () => {
    modelId = 'Qwen/Qwen3-4B-Instruct-2507-FP8';
    const lookup = new RemoteModelLookup(settings);
    const [first, second] = await Promise.all([lookup.find(), lookup.find()]);
    assert.deepEqual(first, {
      server: { baseUrl, apiKey: 'k', model: 'Qwen/Qwen3-4B-Instruct-2507-FP8' },
      model: { id: 'Qwen/Qwen3-4B-Instruct-2507-FP8', contextLength: 262_144 },
    });
    assert.equal(second, first);
    assert.equal(replay.received.length, 1);
    lookup.reset();
    modelId = undefined;
    assert.deepEqual((await lookup.find()).model, { id: 'qwen3:8b', contextLength: undefined });
    assert.deepEqual(
      replay.received.map(({ path }) => path),
      ['/v1/models', '/v1/models'],
    );
  });

  it('names the models the server has when the configured one is not among them, and asks again next time', async () => {
    modelId = 'qwen-72b';
    const lookup = new RemoteModelLookup(settings);
    await assert.rejects(lookup.find(), (error: unknown) => {
      assert.deepEqual(describeError(error), {
        message: `The model server at ${baseUrl} has no model "qwen-72b" (it has "qwen3:8b", "Qwen/Qwen3-4B-Instruct-2507-FP8"). Choose one of its models with "Hearth: Select Model".`,
        actions: ['selectModel'],
        setting: 'hearth.engine.model',
      });
      return true;
    });
    modelId = 'qwen3:8b';
    assert.equal((await lookup.find()).server.model, 'qwen3:8b');
  });

  it('says the server did not answer in time when the listing times out', async () => {
    replay.respond = () => undefined; // never answers
    await assert.rejects(listRemoteModels({ baseUrl }, AbortSignal.timeout(0)), (error: unknown) => {
      assert.ok(error instanceof EngineError && error.code === EngineErrorCode.RemoteUnreachable);
      assert.match(error.message, /did not list its models in time/);
      return true;
    });
  });

  it('remembers a model that refused suffix, per server', () => {
    const lookup = new RemoteModelLookup(settings);
    lookup.refusedFim({ baseUrl, model: 'qwen2.5-coder:7b' });
    assert.equal(lookup.hasRefusedFim({ baseUrl, model: 'qwen2.5-coder:7b' }), true);
    assert.equal(lookup.hasRefusedFim({ baseUrl: 'http://other:8000/v1', model: 'qwen2.5-coder:7b' }), false);
  });
});
