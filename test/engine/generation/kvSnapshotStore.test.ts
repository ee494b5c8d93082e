/**
 * KV snapshots on disk with a real tiny model: a prefix restored into a fresh decoder gives the logits of a cold
 * prefill, in both KV dtypes; corrupt, truncated and foreign files are discarded; eviction keeps the budget.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KvCacheDtype } from '../../../src/shared/protocol';
import { Logger } from '../../../src/engine/base/logger';
import { blockOffset, decodePreamble } from '../../../src/engine/generation/kvSnapshotFormat';
import { KvSnapshotStore } from '../../../src/engine/generation/kvSnapshotStore';
import { kvSnapshotFolders } from '../../../src/engine/generation/kvSnapshotListing';
import { loadModel, type LoadedModel } from '../../../src/engine/model/modelLoader';
import { CONTEXT_LENGTH, TinyModelFixture } from './tinyModelFixture';

/** 3 blocks of 128 positions, the last one partial. */
const PREFIX = 300;
const PROMPT = Array.from({ length: PREFIX + 20 }, (_, i) => 200 + ((i * 7919) % 5000));
/**
 * A restored prefix holds the very rows a cold prefill computed. A reference that ran the positions in other
 * chunks differs by float rounding, and in the 8-bit cache by a level where a value sits on a rounding edge.
 * fp32 weights keep that noise below int8 weights' dynamic activation scales.
 */
const LOGIT_TOLERANCE: Record<KvCacheDtype, number> = { float32: 1e-5, int8: 1e-2 };

function maxDifference(a: Float32Array, b: Float32Array): number {
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

describe('KvSnapshotStore on a tiny Qwen3 model', () => {
  const fixture = new TinyModelFixture();
  const loaded: LoadedModel[] = [];
  const logLines: string[] = [];
  const logger = new Logger('debug', (line) => logLines.push(line));

  const load = async (kvCache: KvCacheDtype) => {
    const model = await loadModel(fixture.checkpoint, {
      quantization: 'fp32',
      kvCache,
      contextLength: CONTEXT_LENGTH,
      threads: 1,
      cacheDir: fixture.cacheDir,
    });
    loaded.push(model);
    return model;
  };
  const storeFor = (model: LoadedModel, options: { root?: string; modelKey?: string; budgetBytes?: number } = {}) =>
    new KvSnapshotStore({
      root: options.root ?? join(fixture.root, 'kv'),
      modelKey: options.modelKey ?? `key-${model.decoder.kvCacheDtype}`,
      dtype: model.decoder.kvCacheDtype,
      geometry: model.config,
      budgetBytes: options.budgetBytes ?? 1 << 30,
      logger,
    });
  const writeFrom = (store: KvSnapshotStore, model: LoadedModel, tokens: readonly number[]) =>
    store.write(Int32Array.from(tokens), (from, to) => Promise.resolve(model.decoder.copyRows(from, to)));

  before(() => fixture.write());
  after(async () => {
    for (const model of loaded) await model.decoder.dispose();
    await fixture.dispose();
  });

  for (const dtype of ['float32', 'int8'] as const) {
    it(`restores a ${dtype} prefix into a fresh decoder with the logits of a cold prefill`, async () => {
      const cold = await load(dtype);
      await cold.decoder.prefill(PROMPT.slice(0, PREFIX));
      const coldLogits = await cold.decoder.prefill(PROMPT.slice(PREFIX));
      const store = storeFor(cold);
      assert.equal(await writeFrom(store, cold, PROMPT.slice(0, PREFIX)), true);

      const fresh = await load(dtype);
      const stored = storeFor(fresh).find(PROMPT, 0, PROMPT.length - 1);
      assert.equal(stored?.end, PREFIX);
      const restoring = storeFor(fresh);
      assert.equal(
        await restoring.restore(restoring.find(PROMPT, 0, PROMPT.length - 1)!, 0, (rows, offset, count) =>
          fresh.decoder.appendRows(rows, offset, count),
        ),
        true,
      );
      assert.equal(fresh.decoder.length, PREFIX);
      const restoredLogits = await fresh.decoder.prefill(PROMPT.slice(PREFIX));
      assert.deepEqual(restoredLogits, coldLogits, 'the same rows, run in the same chunks: the same logits');

      // A prompt sharing part of the prefix, with its first 100 positions already computed: the middle comes
      // from disk (mid-block on both ends), the rest is computed.
      const other = [...PROMPT.slice(0, 200), ...PROMPT.slice(0, 40)];
      const referenceModel = await load(dtype);
      await referenceModel.decoder.prefill(other.slice(0, 100));
      await referenceModel.decoder.prefill(other.slice(100, 200));
      const reference = await referenceModel.decoder.prefill(other.slice(200));
      const partial = await load(dtype);
      await partial.decoder.prefill(other.slice(0, 100));
      const middle = restoring.find(other, 100, other.length - 1)!;
      assert.equal(middle.end, 200);
      await restoring.restore(middle, 100, (rows, offset, count) => partial.decoder.appendRows(rows, offset, count));
      assert.equal(partial.decoder.length, 200);
      const logits = await partial.decoder.prefill(other.slice(200));
      const difference = maxDifference(reference, logits);
      assert.ok(difference <= LOGIT_TOLERANCE[dtype], `max |Δlogit| ${difference}`);
    });
  }

  it('discards a snapshot whose block fails its checksum, and one that is truncated', async () => {
    const model = await load('float32');
    await model.decoder.prefill(PROMPT.slice(0, PREFIX));
    const root = join(fixture.root, 'corrupt');
    const store = storeFor(model, { root });
    await writeFrom(store, model, PROMPT.slice(0, PREFIX));
    const [path] = kvSnapshotFolders(root)[0].files.map((file) => file.path);
    const bytes = readFileSync(path);
    const layout = decodePreamble(
      bytes.subarray(0, 12),
      (offset, length) => bytes.subarray(offset, offset + length),
      bytes.length,
    );
    assert.ok(!('invalid' in layout));
    bytes[blockOffset(layout, 1) + 1000] ^= 0xff;
    writeFileSync(path, bytes);

    logLines.length = 0;
    const target = await load('float32');
    const found = store.find(PROMPT, 0, PROMPT.length - 1)!;
    const restored = await store.restore(found, 0, (rows, offset, count) =>
      target.decoder.appendRows(rows, offset, count),
    );
    assert.equal(restored, false);
    assert.equal(existsSync(path), false);
    assert.match(logLines.join(''), /\[warn\] KV snapshot .* discarded: block 1 fails its checksum/);
    assert.equal(store.find(PROMPT, 0, PROMPT.length - 1), undefined);

    await writeFrom(store, model, PROMPT.slice(0, PREFIX));
    truncateSync(path, statSync(path).size - 10);
    logLines.length = 0;
    assert.equal(storeFor(model, { root }).find(PROMPT, 0, PROMPT.length - 1), undefined);
    assert.equal(existsSync(path), false);
    assert.match(logLines.join(''), /discarded: \d+ bytes, expected \d+ \(truncated or padded\)/);
  });

  it('never uses a snapshot made under another key: it is discarded from the folder it does not belong in', async () => {
    const model = await load('float32');
    await model.decoder.prefill(PROMPT.slice(0, PREFIX));
    const root = join(fixture.root, 'foreign');
    await writeFrom(storeFor(model, { root, modelKey: 'int4-weights' }), model, PROMPT.slice(0, PREFIX));
    const ours = storeFor(model, { root, modelKey: 'int8-weights' });
    assert.equal(ours.find(PROMPT, 0, PROMPT.length - 1), undefined, 'another key, another folder');

    const [file] = kvSnapshotFolders(root)[0].files;
    mkdirSync(ours.dir, { recursive: true });
    copyFileSync(file.path, join(ours.dir, 'copied.kv'));
    logLines.length = 0;
    assert.equal(ours.find(PROMPT, 0, PROMPT.length - 1), undefined);
    assert.equal(existsSync(join(ours.dir, 'copied.kv')), false);
    assert.match(logLines.join(''), /copied\.kv discarded: made for another model key/);
    assert.equal(existsSync(file.path), true, "the other model's own snapshot stays");
  });

  it('leaves one whole snapshot when two writers store the same prefix at once', async () => {
    const model = await load('int8');
    await model.decoder.prefill(PROMPT.slice(0, PREFIX));
    const root = join(fixture.root, 'racing');
    // Two engines' stores: their blocks interleave, each writer yielding between blocks.
    const writers = [storeFor(model, { root }), storeFor(model, { root })].map((store) =>
      store.write(Int32Array.from(PROMPT.slice(0, PREFIX)), async (from, to) => {
        await new Promise((done) => setImmediate(done));
        return model.decoder.copyRows(from, to);
      }),
    );
    assert.deepEqual(await Promise.all(writers), [true, true]);
    const [folder] = kvSnapshotFolders(root);
    assert.equal(folder.files.length, 1);
    assert.deepEqual(
      readdirSync(join(root, folder.modelKey)).filter((name) => name.endsWith('.tmp')),
      [],
    );
    const target = await load('int8');
    const reader = storeFor(target, { root });
    const found = reader.find(PROMPT, 0, PROMPT.length - 1)!;
    assert.equal(found.end, PREFIX);
    assert.equal(
      await reader.restore(found, 0, (rows, offset, count) => target.decoder.appendRows(rows, offset, count)),
      true,
    );
    assert.deepEqual(target.decoder.copyRows(0, PREFIX), model.decoder.copyRows(0, PREFIX));
  });

  it('evicts the least recently used snapshots to keep the disk budget', async () => {
    const model = await load('int8');
    const prompts = [0, 1, 2].map((seed) => PROMPT.slice(0, 200).map((id) => id + seed));
    const root = join(fixture.root, 'evict');
    await model.decoder.prefill(prompts[0]);
    const probe = storeFor(model, { root: join(fixture.root, 'probe') });
    await writeFrom(probe, model, prompts[0]);
    const fileBytes = kvSnapshotFolders(join(fixture.root, 'probe'))[0].files[0].bytes;
    const budgetBytes = Math.floor(fileBytes * 2.5);
    const store = storeFor(model, { root, budgetBytes });
    await writeFrom(store, model, prompts[0]);
    for (const prompt of prompts.slice(1)) {
      model.decoder.truncate(0);
      await model.decoder.prefill(prompt);
      // The first is restored (used) before the third is written: the second is then the least recently used.
      if (prompt === prompts[2]) {
        const scratch = await load('int8');
        const first = store.find(prompts[0], 0, 200)!;
        await store.restore(first, 0, (rows, offset, count) => scratch.decoder.appendRows(rows, offset, count));
      }
      await writeFrom(store, model, prompt);
    }
    const files = kvSnapshotFolders(root).flatMap((folder) => folder.files);
    assert.equal(files.length, 2);
    assert.ok(files.reduce((sum, file) => sum + file.bytes, 0) <= budgetBytes);
    assert.equal(store.find(prompts[0], 0, 200)?.end, 200);
    assert.equal(store.find(prompts[1], 0, 200), undefined);
    assert.equal(store.find(prompts[2], 0, 200)?.end, 200);
  });

  it('deletes the temporaries of writers that died, not those of live ones, when it writes', async () => {
    const model = await load('float32');
    await model.decoder.prefill(PROMPT.slice(0, 140));
    const store = storeFor(model, { root: join(fixture.root, 'temporaries') });
    mkdirSync(store.dir, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const dead = join(store.dir, `.abc.kv.${deadPid}.0a1b2c3d.tmp`);
    const live = join(store.dir, `.abc.kv.${process.pid}.0a1b2c3d.tmp`);
    for (const path of [dead, live]) writeFileSync(path, 'partial');
    assert.equal(await writeFrom(store, model, PROMPT.slice(0, 140)), true);
    assert.deepEqual([existsSync(dead), existsSync(live)], [false, true]);
  });

  it('stops writing, and says so once, when the cache folder cannot take snapshots', async () => {
    const model = await load('float32');
    await model.decoder.prefill(PROMPT.slice(0, 140));
    const blocked = join(fixture.root, 'not-a-folder');
    writeFileSync(blocked, '');
    const store = storeFor(model, { root: join(blocked, 'kv') });
    logLines.length = 0;
    assert.equal(await writeFrom(store, model, PROMPT.slice(0, 140)), false);
    assert.equal(await writeFrom(store, model, PROMPT.slice(0, 130)), false);
    const warnings = logLines.filter((line) => line.includes('[warn]'));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /KV snapshots are no longer written .*serves without them/);
  });
});
