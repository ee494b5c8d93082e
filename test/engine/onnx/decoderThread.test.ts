import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import { ContextService } from '../../../src/engine/context/contextService';
import { GenerationService } from '../../../src/engine/generation/generationService';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { EngineServer } from '../../../src/engine/rpc/engineServer';
import { sendEngineRequest } from '../../../src/shared/engineRpc';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { connectedPair } from '../../helpers/engineConnection';
import { decoderOpener, decoderTestConfig, testModel } from './tinyDecoderSource';

const open = decoderOpener({ contextLength: 1024, prefillChunkTokens: 1024 });

describe('OnnxDecoder on its own thread', () => {
  it('lets the engine answer a ping while one long prefill run is in progress', async () => {
    // One run of 1,000 tokens (the chunk covers the whole prompt): with runs on the engine's thread, the ping
    // could only be read once the run had ended.
    const config = decoderTestConfig('qwen3', { numLayers: 4, hiddenSize: 512, headDim: 128, intermediateSize: 2048 });
    const decoder = await open(testModel(config));
    const pair = connectedPair();
    const logger = new Logger('warn', () => undefined);
    new EngineServer(pair.server, {
      version: '0.0.0',
      logger,
      generation: new GenerationService({ logger, loadModel }),
      context: new ContextService({
        tokenCounter: () => {
          throw new Error('no repository context in this test');
        },
      }),
      onShutdown: () => undefined,
    });
    pair.server.listen();
    pair.client.listen();
    try {
      await sendEngineRequest(pair.client, 'initialize', {
        clientName: 'test',
        clientVersion: '0.0.0',
        protocolVersion: PROTOCOL_VERSION,
      });
      let prefilled = false;
      const prefill = decoder
        .prefill(Array.from({ length: 1000 }, (_, i) => (i * 7) % config.vocabSize))
        .then(() => (prefilled = true));
      await new Promise((resolve) => setImmediate(resolve));
      const ping = await sendEngineRequest(pair.client, 'ping', undefined);
      assert.equal(ping.pid, process.pid);
      assert.equal(prefilled, false, 'the ping was answered only after the prefill');
      await prefill;
      assert.equal(decoder.length, 1000);
    } finally {
      pair.dispose();
    }
  });

  it('keeps the cache on its thread: rows copied out, truncated and appended back give the same logits', async () => {
    const config = decoderTestConfig('qwen3');
    const decoder = await open(testModel(config));
    const prompt = Array.from({ length: 40 }, (_, i) => (i * 11) % config.vocabSize);
    await decoder.prefill(prompt.slice(0, 39));
    const last = await decoder.prefill(prompt.slice(39));
    const rows = decoder.copyRows(10, 40);
    decoder.truncate(10);
    assert.equal(decoder.length, 10);
    decoder.appendRows(rows, 0, 29);
    assert.equal(decoder.length, 39);
    assert.deepEqual(await decoder.prefill(prompt.slice(39)), last);
    assert.throws(() => decoder.copyRows(20, 50), /^RangeError: cannot copy positions \[20, 50\) of 40 cached$/);
    assert.throws(() => decoder.truncate(41), /^RangeError: cannot truncate 40 cached positions to 41$/);
  });
});
