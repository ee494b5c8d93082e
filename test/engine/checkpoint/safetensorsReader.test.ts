import assert from 'node:assert/strict';
import { truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_HEADER_BYTES, SafetensorsFile } from '../../../src/engine/checkpoint/safetensorsReader';
import { SafetensorsWriter } from '../../../src/engine/checkpoint/safetensorsWriter';
import { assertCheckpointError, makeTempDir, writeRawSafetensors } from './checkpointFixtures';

const invalid = (file: string, tensor?: string, message?: RegExp) => ({
  kind: 'CheckpointInvalid' as const,
  file,
  tensor,
  message,
});

describe('SafetensorsFile', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let counter = 0;
  /** A fresh path per test, so every assertion names its own file. */
  const nextPath = () => join(temp.dir, `t${++counter}.safetensors`);

  before(() => (temp = makeTempDir()));
  after(() => temp.remove());

  it('reads what SafetensorsWriter wrote: dtypes, shapes, absolute offsets, bytes, metadata', () => {
    const path = nextPath();
    const writer = SafetensorsWriter.create(path, [
      { name: 'a', dtype: 'F32', shape: [2, 2] },
      { name: 'empty', dtype: 'BF16', shape: [0, 4] },
      { name: 'b', dtype: 'U8', shape: [3] },
    ]);
    writer.write('a', new Uint8Array(Float32Array.of(1, 2, 3, 4).buffer));
    writer.write('b', Uint8Array.of(7));
    writer.write('b', Uint8Array.of(8, 9)); // in pieces
    writer.finish();

    const file = SafetensorsFile.open(path);
    try {
      const headerEnd = file.tensors.get('a')!.byteOffset;
      assert.equal(headerEnd % 8, 0, 'header padded to 8 bytes');
      assert.deepEqual(file.metadata, { format: 'pt' });
      assert.deepEqual(file.tensors.get('a'), {
        name: 'a',
        dtype: 'F32',
        shape: [2, 2],
        file: path,
        byteOffset: headerEnd,
        byteLength: 16,
      });
      assert.deepEqual(file.tensors.get('empty'), {
        name: 'empty',
        dtype: 'BF16',
        shape: [0, 4],
        file: path,
        byteOffset: headerEnd + 16,
        byteLength: 0,
      });
      assert.deepEqual(file.tensors.get('b'), {
        name: 'b',
        dtype: 'U8',
        shape: [3],
        file: path,
        byteOffset: headerEnd + 16,
        byteLength: 3,
      });
      assert.deepEqual([...new Float32Array(file.read('a').buffer)], [1, 2, 3, 4]);
      assert.deepEqual([...file.read('b')], [7, 8, 9]);
      assert.equal(file.read('empty').length, 0);
      assert.equal(file.size, headerEnd + 19);
      assert.match(file.headerSha256, /^[0-9a-f]{64}$/);
      assertCheckpointError(() => file.read('nope'), invalid(`t${counter}.safetensors`, 'nope'));
    } finally {
      file.close();
    }
  });

  it('writer refuses out-of-order or oversized data and leaves no file when aborted', () => {
    const path = nextPath();
    const writer = SafetensorsWriter.create(path, [
      { name: 'a', dtype: 'F32', shape: [1] },
      { name: 'b', dtype: 'F32', shape: [1] },
    ]);
    assert.throws(() => writer.write('b', new Uint8Array(4)), /expected a/);
    assert.throws(() => writer.write('a', new Uint8Array(8)), /has 4 left/);
    assert.throws(() => writer.finish(), /incomplete/);
    writer.abort();
    assertCheckpointError(
      () => SafetensorsFile.open(path),
      invalid(`t${counter}.safetensors`, undefined, /cannot open \(ENOENT\)/),
    );
  });

  it('writes a tensor named "__proto__" as a header key, so the file reads back (a fuzz counterexample)', () => {
    const path = nextPath();
    const writer = SafetensorsWriter.create(path, [
      { name: '__proto__', dtype: 'U8', shape: [2] },
      { name: 'constructor', dtype: 'U8', shape: [1] },
    ]);
    writer.write('__proto__', Uint8Array.of(1, 2));
    writer.write('constructor', Uint8Array.of(3));
    writer.finish();
    const file = SafetensorsFile.open(path);
    try {
      assert.deepEqual([...file.tensors.keys()], ['__proto__', 'constructor']);
      assert.deepEqual([...file.read('__proto__')], [1, 2]);
      assert.deepEqual([...file.read('constructor')], [3]);
    } finally {
      file.close();
    }
  });

  describe('refuses hostile files, naming file and tensor', () => {
    const tensorF32 = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };

    const cases: { name: string; make: (path: string) => void; tensor?: string; message: RegExp }[] = [
      {
        name: 'a file shorter than the length prefix',
        make: (p) => writeFileSync(p, Uint8Array.of(1, 2, 3)),
        message: /too short/,
      },
      {
        name: 'a header length beyond the file',
        make: (p) => writeRawSafetensors(p, { a: tensorF32 }, new Uint8Array(8), 1000n),
        message: /runs past the end/,
      },
      {
        name: 'a header length above the 100 MB limit',
        make: (p) => writeRawSafetensors(p, {}, new Uint8Array(0), BigInt(MAX_HEADER_BYTES + 1)),
        message: /exceeds/,
      },
      {
        name: 'a header that is not JSON',
        make: (p) => writeRawSafetensors(p, '{"a": {', new Uint8Array(0)),
        message: /not valid JSON/,
      },
      {
        name: 'a header that is a JSON array',
        make: (p) => writeRawSafetensors(p, '[]', new Uint8Array(0)),
        message: /not a JSON object/,
      },
      {
        name: 'bad __metadata__',
        make: (p) => writeRawSafetensors(p, { __metadata__: { n: 1 } }, new Uint8Array(0)),
        message: /__metadata__/,
      },
      {
        name: 'an unknown dtype',
        make: (p) => writeRawSafetensors(p, { a: { ...tensorF32, dtype: 'F12' } }, new Uint8Array(8)),
        tensor: 'a',
        message: /unknown dtype "F12"/,
      },
      {
        name: 'a negative dimension',
        make: (p) => writeRawSafetensors(p, { a: { ...tensorF32, shape: [-2] } }, new Uint8Array(8)),
        tensor: 'a',
        message: /non-negative integers/,
      },
      {
        name: 'offsets that hold the wrong number of bytes',
        make: (p) => writeRawSafetensors(p, { a: { ...tensorF32, data_offsets: [0, 6] } }, new Uint8Array(6)),
        tensor: 'a',
        message: /hold 6 bytes, but F32 \[2\] needs 8/,
      },
      {
        name: 'offsets past the end of the file (truncated)',
        make: (p) => {
          writeRawSafetensors(p, { a: tensorF32, b: { ...tensorF32, data_offsets: [8, 16] } }, new Uint8Array(16));
          truncateSync(p, 8 + JSON.stringify({ a: tensorF32, b: { ...tensorF32, data_offsets: [8, 16] } }).length + 12);
        },
        tensor: 'b',
        message: /ends at byte 16 of a 12-byte data section/,
      },
      {
        name: 'overlapping tensors',
        make: (p) =>
          writeRawSafetensors(
            p,
            { a: { ...tensorF32, data_offsets: [0, 8] }, b: { ...tensorF32, data_offsets: [4, 12] } },
            new Uint8Array(12),
          ),
        tensor: 'b',
        message: /overlap tensor "a"/,
      },
      {
        name: 'a gap between tensors',
        make: (p) =>
          writeRawSafetensors(p, { a: tensorF32, b: { ...tensorF32, data_offsets: [12, 20] } }, new Uint8Array(20)),
        tensor: 'b',
        message: /belong to no tensor/,
      },
      {
        name: 'bytes after the last tensor',
        make: (p) => writeRawSafetensors(p, { a: tensorF32 }, new Uint8Array(9)),
        message: /1 bytes after the last tensor/,
      },
    ];
    for (const { name, make, tensor, message } of cases) {
      it(name, () => {
        const path = nextPath();
        make(path);
        assertCheckpointError(() => SafetensorsFile.open(path), invalid(`t${counter}.safetensors`, tensor, message));
      });
    }
  });
});
