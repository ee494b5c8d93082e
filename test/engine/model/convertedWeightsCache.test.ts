import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EngineError } from '../../../src/shared/engineError';
import { EngineErrorCode } from '../../../src/shared/protocol';
import { ConvertedWeightsCache } from '../../../src/engine/model/convertedWeightsCache';
import {
  asCacheUnwritable,
  type TensorToWrite,
  type WriteProgress,
} from '../../../src/engine/model/convertedWeightsWriter';

const isCacheUnwritable = (error: unknown) =>
  error instanceof EngineError && error.code === EngineErrorCode.CacheUnwritable;

function sampleTensors(): TensorToWrite[] {
  return [
    {
      name: 'model.layers.0.mlp.up_proj.qweight',
      dtype: 'uint8',
      shape: [3, 2, 16],
      data: Uint8Array.from({ length: 96 }, (_, i) => i),
    },
    {
      name: 'model.layers.0.mlp.up_proj.scales',
      dtype: 'float32',
      shape: [3, 2],
      data: Float32Array.of(0.5, -0.25, 1, 2, 3, 4),
    },
    { name: 'model.norm.weight', dtype: 'bfloat16', shape: [5], data: Uint16Array.of(1, 2, 3, 4, 5) },
  ];
}

/** Yields each item on a later tick, like a converter that awaits its reads. */
async function* asAsync<T>(items: T[]): AsyncGenerator<T> {
  for (const item of items) yield await Promise.resolve(item);
}

/** Whether a read-only folder stops this user: not for root (CAP_DAC_OVERRIDE), nor on Windows. */
function readOnlyFoldersBindThisUser(): boolean {
  const probeDir = mkdtempSync(join(tmpdir(), 'hearth-permissions-'));
  try {
    chmodSync(probeDir, 0o555);
    writeFileSync(join(probeDir, 'probe'), '');
    return false;
  } catch {
    return true;
  } finally {
    chmodSync(probeDir, 0o755);
    rmSync(probeDir, { recursive: true, force: true });
  }
}
const permissionsBind = readOnlyFoldersBindThisUser();

const bytesOf = (view: ArrayBufferView) => new Uint8Array(view.buffer, view.byteOffset, view.byteLength);

describe('ConvertedWeightsCache', () => {
  let dir: string;
  let discarded: string[];
  let cache: ConvertedWeightsCache;
  let key: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hearth-cache-'));
    discarded = [];
    cache = new ConvertedWeightsCache(dir, { onDiscard: (_path, reason) => discarded.push(reason) });
    key = cache.keyFor('Qwen/Qwen3-4B-FP8@abc123', 'int8', { blockSize: 32 });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('round-trips tensors at 64-byte-aligned offsets and reports progress', async () => {
    const progress: WriteProgress[] = [];
    const written = await cache.write(key, asAsync(sampleTensors()), (p) => progress.push(p));
    assert.deepEqual(
      progress.map((p) => [p.tensorsWritten, p.name]),
      sampleTensors().map((t, i) => [i + 1, t.name]),
    );
    assert.deepEqual(await readdir(dir), [`${key}.weights`]);

    const found = await cache.lookup(key);
    assert.ok(found !== undefined);
    assert.equal(found.path, cache.pathFor(key));
    assert.deepEqual([...found.tensors.values()], [...written.tensors.values()]);
    const file = await readFile(found.path);
    for (const tensor of sampleTensors()) {
      const entry = found.tensor(tensor.name);
      assert.equal(entry.offset % 64, 0);
      assert.deepEqual(entry.shape, tensor.shape);
      assert.deepEqual(await found.readTensor(tensor.name), bytesOf(tensor.data));
      assert.deepEqual(file.subarray(entry.offset, entry.offset + entry.length), Buffer.from(bytesOf(tensor.data)));
    }
    assert.equal(
      progress.at(-1)?.bytesWritten,
      found.tensor('model.norm.weight').offset + 10 - found.tensor(sampleTensors()[0].name).offset,
    );
    assert.deepEqual(discarded, []);
  });

  it('creates its folder readable by its owner only (0700)', { skip: process.platform === 'win32' }, async () => {
    const fresh = new ConvertedWeightsCache(join(dir, 'new', 'hearth'));
    await fresh.write(key, sampleTensors());
    assert.equal((await stat(join(dir, 'new'))).mode & 0o777, 0o700);
    assert.equal((await stat(fresh.dir)).mode & 0o777, 0o700);
  });

  it('moves the data up when the header outgrows its reserved space', async () => {
    const small = new ConvertedWeightsCache(dir, { headerReserve: 64 });
    const many = Array.from({ length: 40 }, (_, i) => ({
      name: `tensor.${i}`,
      dtype: 'float32' as const,
      shape: [i + 1],
      data: Float32Array.from({ length: i + 1 }, (_, j) => i * 100 + j),
    }));
    await small.write(key, many);
    const found = await small.lookup(key);
    assert.ok(found !== undefined);
    for (const tensor of many) {
      assert.equal(found.tensor(tensor.name).offset % 64, 0);
      assert.deepEqual(await found.readTensor(tensor.name), bytesOf(tensor.data));
    }
  });

  it('derives keys from identity, converter version, quantization and parameters in any order', () => {
    assert.match(key, /^[0-9a-f]{64}$/);
    assert.equal(cache.keyFor('Qwen/Qwen3-4B-FP8@abc123', 'int8', { blockSize: 32 }), key);
    assert.equal(cache.keyFor('id', 'int4', { a: 1, b: 'x' }), cache.keyFor('id', 'int4', { b: 'x', a: 1 }));
    const others = [
      cache.keyFor('Qwen/Qwen3-4B-FP8@abc124', 'int8', { blockSize: 32 }),
      cache.keyFor('Qwen/Qwen3-4B-FP8@abc123', 'int4', { blockSize: 32 }),
      cache.keyFor('Qwen/Qwen3-4B-FP8@abc123', 'int8', { blockSize: 128 }),
      cache.keyFor('Qwen/Qwen3-4B-FP8@abc123', 'int8'),
    ];
    assert.equal(new Set([key, ...others]).size, 5);
    assert.throws(() => cache.pathFor('../escape'), RangeError);
  });

  it('misses when nothing was written', async () => {
    assert.equal(await cache.lookup(key), undefined);
  });

  it('never trusts a conversion that was killed mid-write, and cleans up after it', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'cacheWriterChild.ts'), dir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let started = false;
    const exited = once(child, 'exit').then(([code]) => {
      if (!started) throw new Error(`the writer child exited with ${String(code)} before writing`);
    });
    const [firstLine] = (await Promise.race([once(child.stdout, 'data'), exited])) as [Buffer];
    started = true;
    const childKey = firstLine.toString().trim();
    child.kill('SIGKILL');
    await exited;

    const left = await readdir(dir);
    assert.equal(left.length, 1);
    assert.ok(left[0].startsWith(`${childKey}.weights.tmp-${child.pid}-`), left[0]);
    assert.ok((await stat(join(dir, left[0]))).size > 1024, 'the killed write had data on disk');
    assert.equal(await cache.lookup(childKey), undefined);

    await cache.write(childKey, sampleTensors());
    assert.deepEqual(await readdir(dir), [`${childKey}.weights`], 'the stale temporary file is gone');
    assert.ok((await cache.lookup(childKey)) !== undefined);
  });

  it('discards a truncated file', async () => {
    await cache.write(key, sampleTensors());
    const { size } = await stat(cache.pathFor(key));
    await truncate(cache.pathFor(key), size - 3);
    assert.equal(await cache.lookup(key), undefined);
    assert.match(discarded[0], /^size /);
    assert.deepEqual(await readdir(dir), []);
  });

  it('discards a file whose data does not match its checksum', async () => {
    const written = await cache.write(key, sampleTensors());
    const file = await readFile(written.path);
    file[written.tensor('model.layers.0.mlp.up_proj.scales').offset + 2] ^= 0x40;
    await writeFile(written.path, file);
    assert.equal(await cache.lookup(key), undefined);
    assert.deepEqual(discarded, ['checksum mismatch in model.layers.0.mlp.up_proj.scales']);
    assert.deepEqual(await readdir(dir), []);
  });

  it('discards files that are not ours or were written for another key', async () => {
    await writeFile(cache.pathFor(key), 'not a weights file at all');
    assert.equal(await cache.lookup(key), undefined);
    const otherKey = cache.keyFor('other', 'int4');
    await cache.write(otherKey, sampleTensors());
    await rm(cache.pathFor(key), { force: true });
    await writeFile(cache.pathFor(key), await readFile(cache.pathFor(otherKey)));
    assert.equal(await cache.lookup(key), undefined);
    assert.deepEqual(discarded, ['bad magic', 'key mismatch']);
  });

  it('lets errors of the tensor source through and leaves no file behind', async () => {
    async function* failing(): AsyncGenerator<TensorToWrite> {
      yield* asAsync(sampleTensors().slice(0, 1));
      throw Object.assign(new Error('checkpoint shard unreadable'), { code: 'EACCES', syscall: 'open' });
    }
    await assert.rejects(
      cache.write(key, failing()),
      (error: unknown) => !isCacheUnwritable(error) && /shard unreadable/.test(String(error)),
    );
    assert.deepEqual(await readdir(dir), []);
  });

  it('stops on abort and leaves no file behind', async () => {
    const controller = new AbortController();
    const tensors = sampleTensors();
    await assert.rejects(
      cache.write(key, tensors, (p) => p.tensorsWritten === 1 && controller.abort(), controller.signal),
      { name: 'AbortError' },
    );
    assert.deepEqual(await readdir(dir), []);
  });

  it('reports a cache folder that is a file path as CacheUnwritable', async () => {
    const regularFile = join(dir, 'file');
    await writeFile(regularFile, '');
    const blocked = new ConvertedWeightsCache(join(regularFile, 'cache'));
    await assert.rejects(
      blocked.write(key, sampleTensors()),
      (error: unknown) => isCacheUnwritable(error) && /hearth\.cacheDir/.test((error as EngineError).hint ?? ''),
    );
  });

  it(
    'reports a read-only cache folder as CacheUnwritable without a partial file',
    {
      skip: permissionsBind
        ? false
        : 'file permissions do not bind this user (root): the file-path case above covers CacheUnwritable',
    },
    async () => {
      await chmod(dir, 0o555);
      try {
        await assert.rejects(cache.write(key, sampleTensors()), isCacheUnwritable);
        assert.deepEqual(await readdir(dir), []);
      } finally {
        await chmod(dir, 0o755);
      }
    },
  );

  it('maps a full disk to CacheUnwritable with a hint to free space', () => {
    const full = asCacheUnwritable(Object.assign(new Error('no space'), { code: 'ENOSPC' }), '/cache');
    assert.ok(isCacheUnwritable(full));
    assert.match((full as EngineError).hint ?? '', /Free disk space/);
    const other = new Error('something else');
    assert.equal(asCacheUnwritable(other, '/cache'), other);
  });
});
