import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Int8KvCache, quantize } from '../../../src/engine/onnx/int8KvCache';
import { kvCacheBytes } from '../../../src/engine/onnx/kvCache';

const geometry = { numLayers: 2, numKvHeads: 2, headDim: 3 };
const rows = geometry.numKvHeads * geometry.headDim;

/** New rows as the graph emits them, [heads·headDim][count]: distinct values per layer, row and position. */
function chunk(layer: number, start: number, count: number, sign = 1): Float32Array {
  return Float32Array.from(
    { length: rows * count },
    (_, i) => sign * (1 + layer + 0.37 * Math.floor(i / count) + 0.011 * (start + (i % count))),
  );
}

function appendChunk(cache: Int8KvCache, start: number, count: number): void {
  cache.reserve(start + count);
  cache.append(
    [0, 1].map((layer) => chunk(layer, start, count)),
    [0, 1].map((layer) => chunk(layer, start, count, -1)),
    count,
  );
}

/** The cache's feeds of a layer as typed arrays. */
function inputs(cache: Int8KvCache, layer: number) {
  const feeds = cache.layer(layer);
  return {
    key: feeds.key!.data as Int8Array,
    keyScale: feeds.keyScale!.data as Float32Array,
    keyOffset: feeds.keyOffset!.data as Float32Array,
    value: feeds.value!.data as Int8Array,
    valueScale: feeds.valueScale!.data as Float32Array,
    dims: Object.fromEntries(Object.entries(feeds).map(([role, feed]) => [role, feed.dims])),
  };
}

/** Key and value of (layer, head, position) as the graph reads them: levels × scale. */
function dequantized(
  cache: Int8KvCache,
  layer: number,
  head: number,
  position: number,
): { key: number[]; value: number[] } {
  const { key, keyScale, value, valueScale } = inputs(cache, layer);
  const { headDim } = geometry;
  const capacity = cache.capacity;
  const at = head * capacity + position;
  return {
    key: Array.from({ length: headDim }, (_, d) => key[(head * headDim + d) * capacity + position] * keyScale[at]),
    value: Array.from({ length: headDim }, (_, d) => value[at * headDim + d] * valueScale[at]),
  };
}

describe('Int8KvCache', () => {
  it('sizes an int8 cache: per layer, head and position, 2 × headDim levels and 3 floats', () => {
    assert.equal(kvCacheBytes(geometry, 1000, 'int8'), 2 * 2 * (2 * 3 + 12) * 1000);
    assert.equal(new Int8KvCache(geometry, 10).bytesPerPosition, 72);
    // Qwen3 geometry: 3.82× smaller than float32.
    const qwen3 = { numLayers: 36, numKvHeads: 8, headDim: 128 };
    assert.equal(kvCacheBytes(qwen3, 1, 'float32') / kvCacheBytes(qwen3, 1, 'int8'), 1024 / 268);
  });

  it('quantizes a vector symmetrically with scale max|x|/127, to the nearest level', () => {
    const levels = new Int8Array(4);
    const scale = quantize(Float32Array.of(-2, 1.01, 0.5, 0), 0, 1, levels, 0, 1, 4);
    assert.equal(scale, Math.fround(2 / 127));
    assert.deepEqual(Array.from(levels), [-127, 64, 32, 0]); // 1.01/scale = 64.1, 0.5/scale = 31.75
    // Strided source and target; a zero vector gets scale 0 and zero levels.
    const strided = new Int8Array(6).fill(9);
    assert.equal(quantize(new Float32Array(6), 1, 2, strided, 0, 2, 3), 0);
    assert.deepEqual(Array.from(strided), [0, 9, 0, 9, 0, 9]);
  });

  it('lays out keys [heads][headDim][capacity] and values [heads][capacity][headDim], within half a level', () => {
    const cache = new Int8KvCache(geometry, 1000);
    appendChunk(cache, 0, 2);
    appendChunk(cache, 2, 70); // grows to 128
    assert.equal(cache.length, 72);
    assert.equal(cache.capacity, 128);
    assert.deepEqual(inputs(cache, 1).dims, {
      key: [2, 1, 3, 128],
      keyScale: [2, 1, 1, 128],
      keyOffset: [2, 1, 1, 128],
      value: [2, 128, 3],
      valueScale: [2, 1, 1, 128],
    });
    for (const layer of [0, 1]) {
      for (const head of [0, 1]) {
        for (const position of [0, 1, 2, 71]) {
          const { key, value } = dequantized(cache, layer, head, position);
          const start = position;
          const expected = (sign: number) =>
            Array.from({ length: 3 }, (_, d) => sign * (1 + layer + 0.37 * (head * 3 + d) + 0.011 * start));
          const { keyScale, valueScale } = inputs(cache, layer);
          key.forEach((k, d) => assert.ok(Math.abs(k - expected(1)[d]) <= keyScale[head * 128 + position] / 2 + 1e-7));
          value.forEach((v, d) =>
            assert.ok(Math.abs(v - expected(-1)[d]) <= valueScale[head * 128 + position] / 2 + 1e-7),
          );
          // The largest magnitude sits on level ±127.
          assert.equal(Math.round(Math.abs(key[2] / keyScale[head * 128 + position])), 127);
        }
      }
    }
  });

  it('stores 128·Σ key levels·scale as the key offset, and +∞ at every unused position', () => {
    const cache = new Int8KvCache(geometry, 1000);
    const { keyOffset: fresh } = inputs(cache, 0);
    assert.ok(fresh.every((offset) => offset === Infinity));
    appendChunk(cache, 0, 5);
    const { key, keyScale, keyOffset } = inputs(cache, 1);
    const capacity = cache.capacity;
    for (const head of [0, 1]) {
      for (let position = 0; position < capacity; position++) {
        const at = head * capacity + position;
        if (position >= 5) {
          assert.equal(keyOffset[at], Infinity);
          continue;
        }
        let sum = 0;
        for (let d = 0; d < 3; d++) sum += key[(head * 3 + d) * capacity + position];
        assert.equal(keyOffset[at], Math.fround(128 * sum * keyScale[at]));
      }
    }
    appendChunk(cache, 5, 100); // grows: the new tail is masked too
    assert.equal(cache.capacity, 128);
    assert.equal(inputs(cache, 0).keyOffset[cache.capacity - 1], Infinity);
    assert.equal(inputs(cache, 0).keyOffset[cache.capacity + 105], Infinity);
    assert.ok(Number.isFinite(inputs(cache, 0).keyOffset[cache.capacity + 104]));
    cache.truncate(60); // rewinds: the dropped positions are masked again
    assert.equal(inputs(cache, 1).keyOffset[cache.capacity + 60], Infinity);
    assert.ok(Number.isFinite(inputs(cache, 1).keyOffset[cache.capacity + 59]));
  });

  it('keeps rows across growth and shrinking, and truncated positions are overwritten by later appends', () => {
    const cache = new Int8KvCache(geometry, 1000);
    appendChunk(cache, 0, 300);
    const before = dequantized(cache, 1, 1, 69);
    assert.equal(cache.capacity, 320);
    cache.truncate(70);
    assert.equal(cache.capacity, 128);
    assert.deepEqual(dequantized(cache, 1, 1, 69), before);
    appendChunk(cache, 70, 10);
    const fresh = new Int8KvCache(geometry, 1000);
    appendChunk(fresh, 0, 80);
    for (const position of [0, 69, 70, 79])
      assert.deepEqual(dequantized(cache, 0, 1, position), dequantized(fresh, 0, 1, position));
  });

  it('copies positions out as int8 rows and appends them back exactly, from an offset, across growth', () => {
    const cache = new Int8KvCache(geometry, 1000);
    appendChunk(cache, 0, 40);
    const copied = cache.copyRows(10, 30);
    assert.equal(copied.dtype, 'int8');
    assert.equal(copied.count, 20);
    assert.equal(copied.keys[1].length, rows * 20);
    assert.equal(copied.values[1].length, rows * 20);
    assert.equal(copied.keyScales[1].length, 2 * 20);
    cache.truncate(12);
    cache.appendRows(copied, 2, 18); // positions 12..29 again
    assert.equal(cache.length, 30);
    const restored = new Int8KvCache(geometry, 1000);
    appendChunk(restored, 0, 30);
    assert.equal(cache.capacity, restored.capacity);
    const capacity = cache.capacity;
    for (const layer of [0, 1]) {
      const a = inputs(cache, layer);
      const b = inputs(restored, layer);
      for (let row = 0; row < rows; row++)
        assert.deepEqual(
          a.key.subarray(row * capacity, row * capacity + 30),
          b.key.subarray(row * capacity, row * capacity + 30),
        );
      for (const head of [0, 1]) {
        const used = (array: Float32Array) => array.subarray(head * capacity, head * capacity + 30);
        assert.deepEqual(used(a.keyScale), used(b.keyScale));
        assert.deepEqual(used(a.keyOffset), used(b.keyOffset));
        assert.deepEqual(used(a.valueScale), used(b.valueScale));
        assert.deepEqual(
          a.value.subarray(head * capacity * 3, (head * capacity + 30) * 3),
          b.value.subarray(head * capacity * 3, (head * capacity + 30) * 3),
        );
      }
    }
    cache.truncate(0);
    cache.appendRows(copied, 0, 20); // positions 10..29 now sit at 0..19
    appendChunk(cache, 20, 60); // grows past the first bucket, keeping the restored rows
    const shifted = new Int8KvCache(geometry, 1000);
    appendChunk(shifted, 0, 30);
    assert.deepEqual(dequantized(cache, 1, 1, 0), dequantized(shifted, 1, 1, 10));
    assert.throws(() => cache.copyRows(70, 90), /cannot copy positions \[70, 90\) of 80 cached/);
    assert.throws(
      () => cache.appendRows({ keys: [], values: [], count: 1 }, 0, 1),
      /cannot append float32 rows to the int8 KV cache/,
    );
  });
});
