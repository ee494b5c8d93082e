import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SYNTHETIC_GEOMETRIES } from '../../../src/engine/synthetic/syntheticConfig';
import { writeSyntheticCheckpoint } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { loadModel } from '../../../src/engine/model/modelLoader';
import { argmax } from '../../../src/engine/text/topCandidates';
import { runCli } from '../../helpers/builtCli';

const VOCAB = 512;

describe('hearth logits (built CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-logits-'));
  const model = join(dir, 'model');
  const cacheDir = join(dir, 'cache');
  before(async () => {
    await writeSyntheticCheckpoint({
      outDir: model,
      geometry: { ...SYNTHETIC_GEOMETRIES.tiny, vocabSize: VOCAB },
      dtype: 'bf16',
      seed: 3,
      arch: 'qwen3',
      tied: true,
    });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes float32 [steps][vocab] logits and prints the greedy ids, matching the engine in-process', async () => {
    const out = join(dir, 'logits.f32');
    const run = runCli([
      'logits',
      '--model',
      model,
      '--ids',
      '1,2,3',
      '--steps',
      '4',
      '--out',
      out,
      '--context',
      '16',
      '--quantization',
      'fp32',
      '--cache-dir',
      cacheDir,
      '--threads',
      '1',
    ]);
    assert.equal(run.status, 0, run.stderr);
    const ids = JSON.parse(run.stdout) as number[];
    const bytes = readFileSync(out);
    assert.equal(bytes.byteLength, 4 * VOCAB * 4);
    const logits = new Float32Array(bytes.buffer, bytes.byteOffset, 4 * VOCAB);
    assert.deepEqual(
      ids,
      [0, 1, 2, 3].map((step) => argmax(logits.subarray(step * VOCAB, (step + 1) * VOCAB), VOCAB)),
    );

    const loaded = await loadModel(model, { quantization: 'fp32', contextLength: 16, threads: 1, cacheDir });
    try {
      assert.equal(loaded.stats.converted, false, 'the CLI left the converted weights in the cache');
      let expected = await loaded.decoder.prefill([1, 2, 3]);
      for (let step = 0; step < 4; step++) {
        const row = logits.subarray(step * VOCAB, (step + 1) * VOCAB);
        assert.deepEqual(Array.from(row), Array.from(expected));
        if (step < 3) expected = await loaded.decoder.decode(ids[step]);
      }
    } finally {
      await loaded.decoder.dispose();
    }
  });

  it('explains a missing model folder with exit code 1 and no stack trace', () => {
    const run = runCli([
      'logits',
      '--model',
      join(dir, 'nowhere'),
      '--ids',
      '1',
      '--steps',
      '1',
      '--out',
      join(dir, 'x'),
      '--cache-dir',
      cacheDir,
    ]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^hearth logits: .*nowhere: is not a folder\n.*config\.json/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });
});
