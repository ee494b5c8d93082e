import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ContextService } from '../../../src/engine/context/contextService';
import { GenerationService } from '../../../src/engine/generation/generationService';
import { Logger } from '../../../src/engine/base/logger';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { OnnxModelBuilder, TensorType } from '../../../src/engine/onnx/onnxModelBuilder';
import { OrtSession, type FeedData, type LentArrays } from '../../../src/engine/onnx/ortSession';
import { EngineServer } from '../../../src/engine/rpc/engineServer';
import { sendEngineRequest } from '../../../src/shared/engineRpc';
import { PROTOCOL_VERSION } from '../../../src/shared/protocol';
import { connectedPair } from '../../helpers/engineConnection';
import { decoderOpener, decoderTestConfig, testModel } from './tinyDecoderSource';

/** p[1×2] = a[1×4] · b[4×2] */
function matMulModel(): Uint8Array {
  const graph = new OnnxModelBuilder();
  const a = graph.input('a', TensorType.float, [1, 4]);
  const b = graph.input('b', TensorType.float, [4, 2]);
  graph.opN('MatMul', [a, b], ['p']);
  graph.output('p', TensorType.float, [1, 2]);
  return graph.toBytes('matmul');
}

/** Lends one array and keeps what comes back. */
class LentMatrix implements LentArrays {
  constructor(public data: Float32Array) {}
  lendArrays(): FeedData[] {
    return [this.data];
  }
  restoreArrays([data]: FeedData[]): void {
    this.data = data as Float32Array;
  }
}

describe('OrtSession on its own thread', () => {
  it('lends a buffer for a run and gives it back, the values intact, after a success and after a failure', async () => {
    const session = await OrtSession.create(matMulModel());
    try {
      const whole = new Float32Array([9, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
      const matrix = new LentMatrix(whole);
      const row = { data: new Float32Array([1, 1, 1, 1]), dims: [1, 4] };
      const result = await session.run({ a: row, b: { data: whole.subarray(1), dims: [4, 2] } }, ['p'], matrix);
      assert.deepEqual(Array.from(result.p as Float32Array), [8, 10]);
      assert.equal(whole.length, 0, 'the array lent was moved, not copied');
      assert.deepEqual(Array.from(matrix.data), [9, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);

      const lent = matrix.data;
      await assert.rejects(
        session.run({ a: row, b: { data: lent.subarray(1, 7), dims: [3, 2] } }, ['p'], matrix),
        /dimension|shape|Got: 3|Expected: 4/i,
      );
      assert.deepEqual(Array.from(matrix.data), [9, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
    } finally {
      await session.dispose();
    }
  });

  it('copies feeds that view part of a buffer not lent, leaving the caller its array', async () => {
    const session = await OrtSession.create(matMulModel());
    try {
      const shared = new Float32Array([1, 1, 1, 1, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4]);
      const result = await session.run(
        { a: { data: shared.subarray(0, 4), dims: [1, 4] }, b: { data: shared.subarray(4), dims: [4, 2] } },
        ['p'],
      );
      assert.deepEqual(Array.from(result.p as Float32Array), [8, 10]);
      assert.equal(shared.length, 12);
    } finally {
      await session.dispose();
    }
  });

  it('lets the engine answer a ping while one long prefill run is in progress', async () => {
    // One run of 1,000 tokens (the chunk covers the whole prompt): before runs moved to their own thread, the
    // ping could only be read once the run had ended.
    const open = decoderOpener({ contextLength: 1024, prefillChunkTokens: 1024 });
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
});
