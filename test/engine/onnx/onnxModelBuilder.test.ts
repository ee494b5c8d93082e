import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ExternalDataFile } from '../../../src/engine/onnx/externalDataFile';
import { MICROSOFT_DOMAIN, OnnxModelBuilder, TensorType, float } from '../../../src/engine/onnx/onnxModelBuilder';
import { OrtSession } from '../../../src/engine/onnx/ortSession';

const directories: string[] = [];
after(() => {
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
});

/** y = (x + bias) · 2 via FusedMatMul alpha against an identity, then Gather of a row: ops with each attribute kind. */
function sampleModel(builder: OnnxModelBuilder, bias: (name: string) => string): { y: string; row: string } {
  builder.input('x', TensorType.float, [2, 'n']);
  const sum = builder.op('Add', ['x', bias('bias')]);
  const identity = builder.initializer(
    'identity',
    TensorType.float,
    [3, 3],
    Float32Array.of(1, 0, 0, 0, 1, 0, 0, 0, 1),
  );
  const y = builder.op('FusedMatMul', [sum, identity], { alpha: float(2), transB: 1 }, MICROSOFT_DOMAIN);
  const [row] = builder.opN('Gather', [y, builder.int64s([1])], ['second_row'], { axis: 0 });
  builder.output(y, TensorType.float, [2, 3]);
  builder.output(row, TensorType.float, [1, 3]);
  return { y, row: row };
}

const biasValues = Float32Array.from({ length: 300 }, (_, i) => i / 4).subarray(0, 3); // a view into a larger buffer

describe('OnnxModelBuilder', () => {
  it('serializes a model that onnxruntime runs with embedded initializers', async () => {
    const builder = new OnnxModelBuilder();
    const { y, row } = sampleModel(builder, (name) => builder.initializer(name, TensorType.float, [3], biasValues));
    const session = await OrtSession.create(builder.toBytes(), { threads: 1 });
    try {
      const out = await session.run({ x: { data: Float32Array.of(1, 2, 3, 4, 5, 6), dims: [2, 3] } }, [y, row]);
      assert.deepEqual(Array.from(out[y] as Float32Array), [2, 4.5, 7, 8, 10.5, 13]);
      assert.deepEqual(Array.from(out[row] as Float32Array), [8, 10.5, 13]);
    } finally {
      await session.dispose();
    }
  });

  it('references external data at aligned offsets in a file beside the model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-onnx-builder-'));
    directories.push(dir);
    const data = new ExternalDataFile(join(dir, 'weights.bin'));
    const padding = data.append(new Uint8Array(10).fill(7));
    const location = data.append(new Uint8Array(biasValues.buffer, biasValues.byteOffset, biasValues.byteLength));
    data.close();
    assert.deepEqual(padding, { location: 'weights.bin', offset: 0, length: 10 });
    assert.deepEqual(location, { location: 'weights.bin', offset: 4096, length: 12 });
    assert.equal(statSync(join(dir, 'weights.bin')).size, 4108);

    const builder = new OnnxModelBuilder();
    const { y } = sampleModel(builder, (name) => builder.externalInitializer(name, TensorType.float, [3], location));
    writeFileSync(join(dir, 'model.onnx'), builder.toBytes());
    const session = await OrtSession.create(join(dir, 'model.onnx'), { threads: 1 });
    try {
      const out = await session.run({ x: { data: new Float32Array(6), dims: [2, 3] } }, [y]);
      assert.deepEqual(Array.from(out[y] as Float32Array), [0, 0.5, 1, 0, 0.5, 1]);
    } finally {
      await session.dispose();
    }
  });

  it('rejects duplicate names, non-integer INT attributes and data that does not match its dims', () => {
    const builder = new OnnxModelBuilder();
    builder.input('x', TensorType.float, [1]);
    assert.throws(() => builder.input('x', TensorType.float, [1]), /duplicate ONNX value name x/);
    assert.throws(() => builder.op('Softmax', ['x'], { axis: 0.5 }), /integer attribute expected, got 0.5/);
    assert.throws(
      () => builder.initializer('w', TensorType.float, [2, 2], new Float32Array(3)),
      /12 bytes do not match dims \[2, 2\]/,
    );
    assert.equal(builder.int64s([1, -1]), builder.int64s([1, -1]));
    assert.equal(builder.floatScalar(-0.5), builder.floatScalar(-0.5));
    assert.notEqual(builder.floatScalar(0.5), builder.floatScalar(-0.5));
  });
});
