import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConvertedWeightsCache } from '../../../src/engine/model/convertedWeightsCache';
import { dequantizeMatMulNBits } from '../../../src/engine/onnx/matMulNBits';
import { convertDecoderWeights, type DecoderTensor } from '../../../src/engine/onnx/decoderWeights';
import { embeddingRowsFromFile, embeddingRowsFromTensors } from '../../../src/engine/onnx/embeddingRows';
import { decoderTestConfig, testModel } from './tinyDecoderSource';

const dir = mkdtempSync(join(tmpdir(), 'hearth-embedding-rows-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const tokens = [0, 7, 511, 7];

describe('embedding rows', () => {
  for (const [architecture, format, table] of [
    ['qwen3', 'int8', 'lm_head'],
    ['llama', 'int4', 'embed_tokens'],
  ] as const) {
    it(`${format}, ${architecture === 'qwen3' ? "tied (lm_head's rows)" : 'untied'}: the dequantized MatMulNBits rows, from memory and from the converted file alike`, async () => {
      const config = decoderTestConfig(architecture);
      const tensors = new Map(
        [...convertDecoderWeights(testModel(config).source, format)].map((t): [string, DecoderTensor] => [t.name, t]),
      );
      const data = tensors.get(`${table}.weight_q`)!.data as Uint8Array;
      const scales = tensors.get(`${table}.scales`)!.data as Float32Array;
      const expected = dequantizeMatMulNBits({
        n: config.vocabSize,
        k: config.hiddenSize,
        bits: format === 'int8' ? 8 : 4,
        blockSize: 32,
        data,
        scales,
      });
      const inMemory = embeddingRowsFromTensors(config, format, (name) => tensors.get(name)!.data).rows(tokens);
      const cache = new ConvertedWeightsCache(dir, { headerReserve: 4096 });
      const stored = await cache.write(cache.keyFor(`${architecture}-${format}`, format), tensors.values());
      const fromFile = embeddingRowsFromFile(config, format, stored);
      try {
        assert.deepEqual(fromFile.rows(tokens), inMemory);
        const hidden = config.hiddenSize;
        tokens.forEach((token, i) =>
          assert.deepEqual(
            inMemory.subarray(i * hidden, (i + 1) * hidden),
            expected.subarray(token * hidden, (token + 1) * hidden),
          ),
        );
        assert.throws(() => fromFile.rows([512]), /token id 512 is outside the vocabulary of 512/);
      } finally {
        fromFile.close();
      }
    });
  }

  it("fp32: the table's rows", () => {
    const config = decoderTestConfig('qwen2');
    const { source } = testModel(config);
    const tensors = new Map(
      [...convertDecoderWeights(source, 'fp32')].map((t): [string, DecoderTensor] => [t.name, t]),
    );
    const rows = embeddingRowsFromTensors(config, 'fp32', (name) => tensors.get(name)!.data).rows([3, 500]);
    const table = source.readFloat32('model.embed_tokens.weight');
    assert.deepEqual(
      rows,
      Float32Array.from([...table.subarray(3 * 256, 4 * 256), ...table.subarray(500 * 256, 501 * 256)]),
    );
  });
});
