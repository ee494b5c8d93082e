import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Checkpoint } from '../../../src/engine/checkpoint/checkpoint';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { OnnxDecoder } from '../../../src/engine/onnx/onnxDecoder';
import { ReferenceModel } from '../reference/referenceForward';
import { argmax, maxAbsDifference } from './tinyDecoderSource';

const dir = mkdtempSync(join(tmpdir(), 'hearth-checkpoint-decoder-'));
const cleanup: (() => unknown)[] = [];
after(async () => {
  for (const step of cleanup.reverse()) await step();
  rmSync(dir, { recursive: true, force: true });
});

describe('OnnxDecoder on an FP8 checkpoint', () => {
  it('reads a Checkpoint as its WeightSource and matches the reference on the dequantized weights', async () => {
    await writeSyntheticCheckpoint({
      outDir: dir,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, vocabSize: 512 },
      dtype: 'fp8',
      seed: 7,
      arch: 'qwen3',
      tied: true,
    });
    const checkpoint = Checkpoint.open(dir);
    cleanup.push(() => checkpoint.close());
    const decoder = await OnnxDecoder.create(checkpoint, { quantization: 'fp32', contextLength: 64, threads: 1 });
    cleanup.push(() => decoder.dispose());
    const reference = new ReferenceModel(
      checkpoint.config,
      (name) =>
        name.endsWith('_proj.weight')
          ? checkpoint.readLinearFloat32(name.slice(0, -'.weight'.length))
          : checkpoint.readFloat32(name),
      64,
    );

    let expected = reference.forward([10, 20, 30, 40]);
    let actual = await decoder.prefill([10, 20, 30, 40]);
    for (let step = 0; step < 8; step++) {
      assert.ok(maxAbsDifference(actual, expected) <= 1e-3, `step ${step}: ${maxAbsDifference(actual, expected)}`);
      assert.equal(argmax(actual), argmax(expected));
      const next = argmax(expected);
      expected = reference.forward([next]);
      actual = await decoder.decode(next);
    }
  });
});
