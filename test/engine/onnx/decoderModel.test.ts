import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConvertedWeightsCache } from '../../../src/engine/model/convertedWeightsCache';
import { writeDecoderModelBeside } from '../../../src/engine/onnx/decoderModel';
import { convertDecoderWeights } from '../../../src/engine/onnx/decoderWeights';
import { OnnxDecoder } from '../../../src/engine/onnx/onnxDecoder';
import { decoderTestConfig, testModel } from './tinyDecoderSource';

const directories: string[] = [];
const decoders: OnnxDecoder[] = [];
after(async () => {
  for (const decoder of decoders) await decoder.dispose();
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

function temporaryDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-decoder-model-'));
  directories.push(dir);
  return dir;
}

const prompt = [5, 6, 7, 300, 2];
const model = testModel(decoderTestConfig('qwen3'));
const options = { quantization: 'int8', contextLength: 64, threads: 1 } as const;

/** Logits of the prompt and of two decode steps. */
async function run(decoder: OnnxDecoder): Promise<Float32Array[]> {
  decoders.push(decoder);
  return [await decoder.prefill(prompt), await decoder.decode(11), await decoder.decode(12)];
}

describe('decoder model files', () => {
  it('external data in a model directory gives the same logits as embedded weights', async () => {
    const dir = temporaryDirectory();
    const progress: string[] = [];
    const embedded = await run(await OnnxDecoder.create(model.source, options));
    const external = await run(
      await OnnxDecoder.create(model.source, {
        ...options,
        modelDirectory: dir,
        onProgress: (p) => progress.push(`${p.tensorsDone}:${p.name}`),
      }),
    );
    assert.deepEqual(external, embedded);
    assert.deepEqual(readdirSync(dir).sort(), ['decoder.onnx', 'decoder.weights']);
    // per layer 2 norms + qk_norm + 4 linears × (data, scales), final norm, lm_head data and scales (which the
    // tied embedding shares)
    assert.equal(progress.length, 2 * 11 + 1 + 2);
    assert.equal(progress.at(-1), '25:lm_head.scales');
  });

  it('loads a graph written beside converted weights stored in the cache', async () => {
    const cache = new ConvertedWeightsCache(temporaryDirectory(), { headerReserve: 4096 });
    const key = cache.keyFor('tiny-qwen3', 'int8');
    const stored = await cache.write(key, convertDecoderWeights(model.source, 'int8'));
    const built = writeDecoderModelBeside(model.source.config, 'int8', stored);
    assert.equal(built.model, `${stored.path}.decoder.onnx`);
    const int8Kv = writeDecoderModelBeside(model.source.config, 'int8', stored, 'int8');
    int8Kv.embedding.close();
    assert.equal(int8Kv.model, `${stored.path}.decoder-int8kv.onnx`);
    const fromCache = await run(await OnnxDecoder.load(built, model.source.config, options));
    assert.deepEqual(fromCache, await run(await OnnxDecoder.create(model.source, options)));
  });
});
