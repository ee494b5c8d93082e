import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Float32KvCache } from '../../../src/engine/onnx/float32KvCache';
import { kvCacheBytes, type KvCache } from '../../../src/engine/onnx/kvCache';

const geometry = { numLayers: 2, numKvHeads: 2, headDim: 3 };
const rows = geometry.numKvHeads * geometry.headDim;

/** New rows as the graph emits them, [rows][count], with values that encode layer, row and position. */
function chunk(layer: number, start: number, count: number, sign = 1): Float32Array {
  return Float32Array.from(
    { length: rows * count },
    (_, i) => sign * (layer * 10000 + Math.floor(i / count) * 1000 + start + (i % count)),
  );
}

function appendChunk(cache: KvCache, start: number, count: number): void {
  cache.reserve(start + count);
  cache.append(
    [0, 1].map((layer) => chunk(layer, start, count)),
    [0, 1].map((layer) => chunk(layer, start, count, -1)),
    count,
  );
}

/** A layer's key and value buffers and their dims. */
function layer(cache: KvCache, index: number): { key: Float32Array; value: Float32Array; dims: readonly number[] } {
  const { key, value } = cache.layer(index);
  return { key: key!.data as Float32Array, value: value!.data as Float32Array, dims: key!.dims };
}

describe('Float32KvCache', () => {
  it('sizes a float32 cache: 2 × layers × kvHeads × headDim × 4 bytes per position', () => {
    assert.equal(kvCacheBytes(geometry, 1000), 96_000);
    assert.equal(kvCacheBytes(geometry, 1000, 'float32'), 96_000);
    assert.equal(new Float32KvCache(geometry, 10).bytesPerPosition, 96);
  });

  it('starts with one bucket, never empty, and grows in 64-position buckets by at least 1/16', () => {
    const cache = new Float32KvCache(geometry, 5000);
    assert.equal(cache.capacity, 64);
    assert.equal(cache.length, 0);
    cache.reserve(65);
    assert.equal(cache.capacity, 128);
    cache.reserve(2000);
    assert.equal(cache.capacity, 2048);
    cache.reserve(2049);
    assert.equal(cache.capacity, 2176); // 2048 + 2048/16
    cache.reserve(4990);
    assert.equal(cache.capacity, 4992);
    cache.reserve(4993);
    assert.equal(cache.capacity, 5000); // capped at the context
    assert.throws(() => cache.reserve(5001), /exceed/);
    assert.equal(new Float32KvCache(geometry, 10).capacity, 10);
  });

  it('stores [kvHeads][headDim][capacity] per layer and keeps rows across growth', () => {
    const cache = new Float32KvCache(geometry, 1000);
    appendChunk(cache, 0, 2);
    appendChunk(cache, 2, 1);
    appendChunk(cache, 3, 70); // grows to 128
    assert.equal(cache.length, 73);
    const { key, value, dims } = layer(cache, 1);
    assert.deepEqual(dims, [2, 1, 3, 128]);
    assert.deepEqual(cache.layer(1).value!.dims, [2, 1, 3, 128]);
    for (const row of [0, 5]) {
      for (const position of [0, 2, 3, 72]) {
        assert.equal(key[row * 128 + position], 10000 + row * 1000 + position);
        assert.equal(value[row * 128 + position], -(10000 + row * 1000 + position));
      }
      assert.equal(key[row * 128 + 73], 0);
    }
  });

  it('masks the unused tail of the buffer and the chunk causally', () => {
    const cache = new Float32KvCache({ numLayers: 1, numKvHeads: 1, headDim: 1 }, 4);
    cache.reserve(3);
    cache.append([Float32Array.of(1)], [Float32Array.of(1)], 1);
    const mask = cache.attentionMask(2);
    const I = -Infinity;
    // columns: buffer positions 0..3 (1 cached), then the 2 chunk positions
    assert.deepEqual(Array.from(mask), [0, I, I, I, 0, I, /* row 2 */ 0, I, I, I, 0, 0]);
  });

  it('truncates to a prefix, which later appends overwrite', () => {
    const cache = new Float32KvCache(geometry, 100);
    appendChunk(cache, 0, 5);
    cache.truncate(2);
    assert.equal(cache.length, 2);
    assert.deepEqual(Array.from(cache.attentionMask(1).subarray(0, 4)), [0, 0, -Infinity, -Infinity]);
    cache.append([chunk(0, 50, 1), chunk(1, 50, 1)], [chunk(0, 50, 1), chunk(1, 50, 1)], 1);
    assert.equal(layer(cache, 0).key[2], 50);
    assert.throws(() => cache.truncate(4), /cannot truncate 3 cached positions to 4/);
  });

  it('shrinks back when truncated to well under half its capacity, keeping the rows', () => {
    const cache = new Float32KvCache(geometry, 1000);
    appendChunk(cache, 0, 300);
    assert.equal(cache.capacity, 320);
    cache.truncate(200); // still over half: stays
    assert.equal(cache.capacity, 320);
    cache.truncate(70);
    assert.equal(cache.capacity, 128);
    const { key, value, dims } = layer(cache, 1);
    assert.deepEqual(dims, [2, 1, 3, 128]);
    for (let row = 0; row < rows; row++) {
      for (const position of [0, 69]) {
        assert.equal(key[row * 128 + position], 10000 + row * 1000 + position);
        assert.equal(value[row * 128 + position], -(10000 + row * 1000 + position));
      }
    }
    appendChunk(cache, 70, 10);
    assert.equal(layer(cache, 0).key[5 * 128 + 75], 5000 + 75);
    cache.truncate(0);
    assert.equal(cache.capacity, 64); // never empty
  });

  it('copies positions out and appends them back, from an offset, across growth', () => {
    const cache = new Float32KvCache(geometry, 1000);
    appendChunk(cache, 0, 40);
    const rows = cache.copyRows(10, 30);
    assert.equal(rows.count, 20);
    assert.equal(rows.keys[1][5 * 20 + 3], 10000 + 5000 + 13); // layer 1, row 5, position 13
    assert.equal(rows.dtype, undefined);
    cache.truncate(12);
    cache.appendRows(rows, 2, 18); // positions 12..29 again
    assert.equal(cache.length, 30);
    const restored = new Float32KvCache(geometry, 1000);
    appendChunk(restored, 0, 30);
    for (let index = 0; index < 2; index++) {
      for (const row of [0, 5]) {
        for (let position = 0; position < 30; position++) {
          assert.equal(
            layer(cache, index).key[row * cache.capacity + position],
            layer(restored, index).key[row * restored.capacity + position],
          );
          assert.equal(
            layer(cache, index).value[row * cache.capacity + position],
            layer(restored, index).value[row * restored.capacity + position],
          );
        }
      }
    }
    cache.truncate(0);
    cache.appendRows(rows, 0, 20); // positions 10..29 now sit at 0..19
    appendChunk(cache, 20, 60); // grows past the first bucket, keeping the restored rows
    assert.equal(layer(cache, 0).key[1 * cache.capacity + 0], 1000 + 10);
    assert.throws(() => cache.copyRows(70, 90), /cannot copy positions \[70, 90\) of 80 cached/);
    assert.throws(() => cache.appendRows(rows, 15, 10), /cannot take positions \[15, 25\) of 20 copied/);
    const int8Rows = { dtype: 'int8' as const, keys: [], keyScales: [], values: [], valueScales: [], count: 1 };
    assert.throws(() => cache.appendRows(int8Rows, 0, 1), /cannot append int8 rows to the float32 KV cache/);
  });
});
