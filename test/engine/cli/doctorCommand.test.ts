import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../../src/engine/checkpoint/checkpoint';
import { HuggingFaceClient } from '../../../src/engine/library/huggingFaceClient';
import { downloadModel } from '../../../src/engine/library/modelDownloader';
import { formatMemory } from '../../../src/engine/library/hardwareFit';
import { machineInfo } from '../../../src/engine/library/machineInfo';
import { decoderWeightBytes } from '../../../src/engine/onnx/decoderWeights';
import { Logger } from '../../../src/engine/base/logger';
import { KvSnapshotStore } from '../../../src/engine/generation/kvSnapshotStore';
import { kvSnapshotFolders } from '../../../src/engine/generation/kvSnapshotListing';
import { formatDiskSize } from '../../../src/engine/library/diskSpace';
import { runCli } from '../../helpers/builtCli';
import { FakeHub, syntheticHubFiles } from '../library/fakeHub';

describe('hearth doctor (built CLI)', () => {
  const root = mkdtempSync(join(tmpdir(), 'hearth-cli-doctor-'));
  const model = join(root, 'downloaded');

  before(async () => {
    // A checkpoint as `hearth download` leaves it, so the doctor has its source to report.
    const hub = await FakeHub.start({
      repo: 'Qwen/Qwen3-Tiny-FP8',
      files: await syntheticHubFiles(join(root, 'source')),
    });
    try {
      await downloadModel({
        repo: 'Qwen/Qwen3-Tiny-FP8',
        dir: model,
        client: new HuggingFaceClient({ endpoint: hub.endpoint }),
      });
    } finally {
      await hub.close();
    }
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('describes the machine, and the fit of every catalogue model', () => {
    const run = runCli(['doctor']);
    assert.equal(run.status, 0, run.stderr);
    const lines = run.stdout.split('\n');
    const machine = machineInfo();
    assert.deepEqual(lines.slice(0, 2), [
      'machine',
      `  cpu           ${cpus()[0].model.trim()}, ${cpus().length} logical cores`,
    ]);
    assert.match(
      lines[2],
      new RegExp(`^  memory        ${formatMemory(machine.memory.totalBytes)} total, [\\d.]+ [GM]iB free$`),
    );
    assert.match(lines[3], /^ {2}disk {10}[\d.]+ [GM]B free in .*hearth$/);
    assert.deepEqual(lines.slice(4, 6), [`  os            ${machine.os}`, `  node          ${process.version}`]);
    assert.match(lines[6], /^ {2}onnxruntime {3}1\.\d+\.\d+ \(cpu[^)]*\)$/);
    assert.equal(lines[7], 'fit (int8 weights, auto KV cache)');
    const fits = lines.slice(8, 12).map((line) => /^ {2}(\S+) +(Fits|Tight|Does not fit):/.exec(line)?.[1]);
    assert.deepEqual(fits, [
      'Qwen/Qwen3-4B-Instruct-2507-FP8',
      'Qwen/Qwen3-4B-Thinking-2507-FP8',
      'Qwen/Qwen3-4B-FP8',
      'Qwen/Qwen3-0.6B-FP8',
    ]);
  });

  it('describes a downloaded model, what fits, and measures its decode speed', () => {
    const cacheDir = join(root, 'cache');
    const run = runCli(['doctor', '--model', model, '--threads', '1', '--cache-dir', cacheDir]);
    assert.equal(run.status, 0, run.stderr);
    const checkpoint = openCheckpoint(model);
    const weightBytes = decoderWeightBytes(checkpoint.config, 'int8');
    checkpoint.close();
    const onDisk = ['model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].reduce(
      (sum, f) => sum + statSync(join(model, f)).size,
      0,
    );
    const lines = run.stdout.split('\n');
    const modelAt = lines.indexOf('model');
    assert.deepEqual(lines.slice(modelAt, modelAt + 8), [
      'model',
      `  folder        ${model}`,
      '  source        downloaded from Qwen/Qwen3-Tiny-FP8 at c0ffee0, every file verified',
      '  architecture  qwen3, 2 layers, hidden 256, 4 heads / 2 KV heads × 64, vocab 512',
      '  kind          hybrid',
      '  context       40,960 positions',
      // 512 × 256 embeddings + 2 × 590,464 per layer + 256 final norm = 1,312,256
      `  weights       1.3 M parameters; ${(onDisk / 1e6).toFixed(1)} MB on disk (BF16, F8_E4M3); ${formatMemory(weightBytes)} in memory as int8`,
      'fit (int8 weights, auto KV cache)',
    ]);
    // auto: the default context is above 4,096, so the fit is the 8-bit cache's.
    assert.match(
      lines[modelAt + 8],
      /^ {2}this model {4}Fits: 1 MiB of weights and up to 40,960 tokens of context \(8-bit KV cache\) in [\d.]+ GiB free memory; default context 32,768 tokens\.$/,
    );
    assert.equal(lines[modelAt + 9], 'speed');
    // Measured with the fit's cache, the 8-bit one, although auto would pick float32 at the speed test's short context.
    assert.match(
      lines[modelAt + 10],
      /^ {2}decode {8}\d+\.\d tokens\/s \(16 steps, int8 weights, 8-bit KV cache, 1 threads\)$/,
    );
    assert.match(run.stderr, /converting weights \(once; later loads use the cache\) done in [\d.]+ s/);
  });

  it('lists the KV snapshots in the cache folder with their total size, and clears them when asked', async () => {
    const cacheDir = join(root, 'snapshots-cache');
    const geometry = { numLayers: 2, numKvHeads: 2, headDim: 8 };
    const store = new KvSnapshotStore({
      root: join(cacheDir, 'kv'),
      modelKey: 'abcdef0123456789'.repeat(4),
      dtype: 'float32',
      geometry,
      budgetBytes: 1 << 30,
      logger: new Logger('error', () => {}),
    });
    // Rows of 2 layers × 2 heads × 8 dims, keys and values, 4 bytes each: 256 bytes a position.
    const rows = (from: number, to: number) => {
      const layer = () => new Float32Array(2 * 8 * (to - from)).fill(from);
      return Promise.resolve({ keys: [layer(), layer()], values: [layer(), layer()], count: to - from });
    };
    for (const length of [1000, 300])
      assert.ok(
        await store.write(
          Int32Array.from({ length }, (_, i) => i),
          rows,
        ),
      );
    const sizes = [1000, 300].map((length) => 256 * length);

    const listed = runCli(['doctor', '--no-speed', '--cache-dir', cacheDir]);
    assert.equal(listed.status, 0, listed.stderr);
    const lines = listed.stdout.trimEnd().split('\n');
    const at = lines.indexOf('cache');
    assert.ok(at > 0, listed.stdout);
    const files = kvSnapshotFolders(join(cacheDir, 'kv'))[0].files;
    const stored = files.reduce((sum, file) => sum + file.bytes, 0);
    // The payload, plus per file a preamble with the token ids and a checksum per 128-position block.
    assert.ok(stored > sizes[0] + sizes[1] && stored < sizes[0] + sizes[1] + 8000, `${stored} bytes`);
    assert.equal(lines[at + 1], `  kv snapshots  2 in ${join(cacheDir, 'kv')}, ${formatDiskSize(stored)}`);
    assert.match(lines[at + 2], /^ {4}300 tokens fp32, 0\.\d MB, model abcdef012345, used \d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.match(lines[at + 3], /^ {4}1,000 tokens fp32, 0\.\d MB, model abcdef012345, used /);

    const cleared = runCli(['doctor', '--no-speed', '--cache-dir', cacheDir, '--clear-kv-snapshots']);
    assert.equal(cleared.status, 0, cleared.stderr);
    const after = cleared.stdout.trimEnd().split('\n');
    const cacheAt = after.indexOf('cache');
    assert.equal(after[cacheAt + 1], `  cleared       2 KV snapshots, ${formatDiskSize(stored)}`);
    assert.equal(after[cacheAt + 2], `  kv snapshots  0 in ${join(cacheDir, 'kv')}, 0.0 MB`);
    assert.equal(after.length, cacheAt + 3);
  });

  it('rejects a folder that is not a checkpoint, with the checkpoint error', () => {
    const run = runCli(['doctor', '--model', join(root, 'source', 'missing')]);
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^hearth doctor: .*missing: is not a folder\nChoose the Hugging Face checkpoint folder/m);
  });
});
