/**
 * The server before its model has loaded (a real GenerationService with nothing loaded yet, as `hearth serve`
 * runs it while loading), and what it refuses before a request reaches the engine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import { GenerationService } from '../../../src/engine/generation/generationService';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { OpenAiServer } from '../../../src/engine/serve/openAiServer';

describe('OpenAiServer while the model loads', () => {
  const engine = new GenerationService({ logger: new Logger('error'), loadModel });
  const server = new OpenAiServer({ engine, modelId: 'tiny' });
  let base = '';
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await server.close();
    await engine.dispose();
  });

  const post = (path: string, body: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('answers 503 with a retry-after, and /health says it is loading', async () => {
    const models = await fetch(`${base}/v1/models`);
    assert.equal(models.status, 503);
    assert.equal(models.headers.get('retry-after'), '5');
    assert.deepEqual(await models.json(), {
      error: {
        message: 'The model is still loading. Try again in a few seconds.',
        type: 'server_error',
        param: null,
        code: 'model_loading',
      },
    });
    const health = await fetch(`${base}/health`);
    assert.equal(health.status, 503);
    assert.deepEqual(await health.json(), { status: 'loading', requests_running: 0, prefix_cache_bytes: 0 });
    assert.equal((await post('/v1/chat/completions', '{}')).status, 503);
  });

  it('answers 404 for an unknown route and 405 for a wrong method, loaded or not', async () => {
    const unknown = await fetch(`${base}/v2/chat`);
    assert.equal(unknown.status, 404);
    assert.equal(((await unknown.json()) as { error: { code: string } }).error.code, 'unknown_route');
    const wrongMethod = await fetch(`${base}/v1/chat/completions`);
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.get('allow'), 'POST');
    await wrongMethod.body?.cancel();
  });
});
