/**
 * Property-based fuzz of the safetensors reader: valid files from the project's own header encoder, then
 * mutated (bytes, length prefix, file length, and each header field), and random headers. Every file either
 * opens to tensors that tile its data section exactly, or fails with a CheckpointError naming it.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { CheckpointError } from '../../../src/engine/checkpoint/checkpointError';
import { dtypeByteSize, elementCount, type SafetensorsDtype } from '../../../src/engine/checkpoint/safetensorsDtype';
import { parseSafetensorsHeader } from '../../../src/engine/checkpoint/safetensorsHeader';
import { SafetensorsFile } from '../../../src/engine/checkpoint/safetensorsReader';
import { encodeSafetensorsHeader, type TensorSpec } from '../../../src/engine/checkpoint/safetensorsWriter';
import { makeTempDir } from './checkpointFixtures';

const DTYPES: SafetensorsDtype[] = [
  'BOOL',
  'U8',
  'I8',
  'F8_E4M3',
  'F8_E5M2',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'I64',
  'U64',
  'F64',
];

/** Names a JavaScript object treats specially, beside ordinary and non-ASCII ones. */
const tensorName = fc.oneof(
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
  fc.constantFrom('model.embed_tokens.weight', '__proto__', 'constructor', 'toString', 'hasOwnProperty', ''),
);

const tensorSpecs: fc.Arbitrary<TensorSpec[]> = fc
  .uniqueArray(
    fc.record({
      name: tensorName.filter((name) => name !== '__metadata__'),
      dtype: fc.constantFrom(...DTYPES),
      shape: fc.array(fc.nat({ max: 5 }), { maxLength: 3 }),
    }),
    { selector: (spec) => spec.name, maxLength: 5 },
  )
  .map((specs) => specs as TensorSpec[]);

/** A valid file: the encoder's header, then each tensor's bytes. */
const validFile = fc
  .record({
    specs: tensorSpecs,
    metadata: fc.option(
      fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 }), { maxKeys: 3, noNullPrototype: true }),
      {
        nil: undefined,
      },
    ),
  })
  .chain(({ specs, metadata }) => {
    const header = encodeSafetensorsHeader(specs, metadata);
    const dataLength = specs.reduce((sum, spec) => sum + elementCount(spec.shape)! * dtypeByteSize(spec.dtype), 0);
    return fc
      .uint8Array({ minLength: dataLength, maxLength: dataLength })
      .map((data) => ({ specs, metadata, bytes: concat(header, data) }));
  });

/** A JSON value that a header field might wrongly hold. */
const wrongValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(-1, 1.5, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e300, '8', 'F32 ', 'f32', 'F12', [], [0], [0, 1, 2]),
);

/** One header field changed, left out or added, with the length prefix kept right (or not). */
function mutateHeader(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const length = Number(Buffer.from(bytes).readBigUInt64LE(0));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + length)).toString('utf8')) as Record<string, unknown>;
  const data = bytes.subarray(8 + length);
  const names = Object.keys(header);
  const field = fc.constantFrom('dtype', 'shape', 'data_offsets');
  const entryEdit = names.length === 0 ? fc.constant(undefined) : fc.constantFrom(...names);
  const edit = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), name: entryEdit, field, value: wrongValue }),
    fc.record({ kind: fc.constant('delete' as const), name: entryEdit, field }),
    fc.record({
      kind: fc.constant('offsets' as const),
      name: entryEdit,
      delta: fc.tuple(fc.integer({ min: -9, max: 9 }), fc.integer({ min: -9, max: 9 })),
    }),
    fc.record({
      kind: fc.constant('shape' as const),
      name: entryEdit,
      shape: fc.array(fc.oneof(fc.nat({ max: 6 }), fc.constantFrom(2 ** 31, 2 ** 40, -1)), { maxLength: 4 }),
    }),
    fc.record({ kind: fc.constant('entry' as const), name: tensorName, value: wrongValue }),
    fc.record({ kind: fc.constant('metadata' as const), value: wrongValue }),
  );
  return fc.tuple(edit, fc.boolean(), fc.integer({ min: -3, max: 3 })).map(([change, keepLength, lengthDelta]) => {
    const edited = structuredClone(header);
    const entry = (name: string | undefined) =>
      name === undefined ? undefined : (edited[name] as Record<string, unknown>);
    switch (change.kind) {
      case 'set':
        if (entry(change.name)) entry(change.name)![change.field] = change.value;
        break;
      case 'delete':
        if (entry(change.name)) delete entry(change.name)![change.field];
        break;
      case 'offsets': {
        const target = entry(change.name);
        if (target && Array.isArray(target.data_offsets)) {
          const [begin, end] = target.data_offsets as [number, number];
          target.data_offsets = [begin + change.delta[0], end + change.delta[1]];
        }
        break;
      }
      case 'shape':
        if (entry(change.name)) entry(change.name)!.shape = change.shape;
        break;
      case 'entry':
        Object.defineProperty(edited, change.name, { value: change.value, enumerable: true, writable: true });
        break;
      case 'metadata':
        edited.__metadata__ = change.value;
        break;
    }
    const json = Buffer.from(JSON.stringify(edited), 'utf8');
    const prefix = Buffer.alloc(8);
    prefix.writeBigUInt64LE(BigInt(Math.max(0, json.length + (keepLength ? 0 : lengthDelta))));
    return concat(prefix, json, data);
  });
}

/** Raw damage: bytes overwritten, the length prefix replaced, the file cut short or extended. */
function damageBytes(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  return fc.oneof(
    fc
      .array(fc.tuple(fc.nat({ max: Math.max(0, bytes.length - 1) }), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 4,
      })
      .map((writes) => {
        const copy = Uint8Array.from(bytes);
        for (const [at, value] of writes) copy[at] = value;
        return copy;
      }),
    fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((length) => {
      const copy = Buffer.from(bytes);
      copy.writeBigUInt64LE(length, 0);
      return new Uint8Array(copy);
    }),
    fc.nat({ max: bytes.length }).map((end) => bytes.slice(0, end)),
    fc.uint8Array({ minLength: 1, maxLength: 16 }).map((extra) => concat(bytes, extra)),
  );
}

function concat(...parts: Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}

describe('SafetensorsFile under fuzzing', () => {
  let temp: ReturnType<typeof makeTempDir>;
  let path: string;
  /** The largest buffer the reader asked for while a case ran. */
  let largestAllocation = 0;
  const allocUnsafeSlow = Buffer.allocUnsafeSlow.bind(Buffer);

  before(() => {
    temp = makeTempDir('hearth-safetensors-fuzz-');
    path = join(temp.dir, 'fuzz.safetensors');
    // The reader allocates through allocUnsafeSlow only; watching it bounds every buffer a file can cost.
    Buffer.allocUnsafeSlow = (size: number) => {
      largestAllocation = Math.max(largestAllocation, size);
      return allocUnsafeSlow(size);
    };
  });
  after(() => {
    Buffer.allocUnsafeSlow = allocUnsafeSlow;
    temp.remove();
  });

  /**
   * Opens `bytes` as a file: a CheckpointError naming it, or tensors that tile the data section with sizes
   * their dtype and shape need, each read back as the file's own bytes. No buffer is ever larger than the file.
   */
  function checkFile(bytes: Uint8Array): SafetensorsFile | undefined {
    writeFileSync(path, bytes);
    largestAllocation = 0;
    let file: SafetensorsFile;
    try {
      file = SafetensorsFile.open(path);
    } catch (error) {
      assert.ok(error instanceof CheckpointError, `not a CheckpointError: ${String(error)}`);
      assert.equal(error.kind, 'CheckpointInvalid');
      assert.equal(error.file, path);
      assert.ok(largestAllocation <= bytes.length, `allocated ${largestAllocation} for a ${bytes.length}-byte file`);
      return undefined;
    }
    try {
      const dataStart = 8 + Number(Buffer.from(bytes).readBigUInt64LE(0));
      const tensors = [...file.tensors.values()].sort((a, b) => a.byteOffset - b.byteOffset);
      let covered = dataStart;
      for (const tensor of tensors) {
        assert.equal(tensor.byteOffset, covered, `${tensor.name} starts where the one before it ends`);
        assert.equal(tensor.byteLength, elementCount(tensor.shape)! * dtypeByteSize(tensor.dtype));
        const expected = bytes.subarray(tensor.byteOffset, tensor.byteOffset + tensor.byteLength);
        assert.ok(Buffer.from(file.read(tensor.name)).equals(expected), `${tensor.name} reads as the file's bytes`);
        covered += tensor.byteLength;
      }
      assert.equal(covered, bytes.length, 'the tensors end where the file does');
      assert.equal(file.size, bytes.length);
      assert.ok(largestAllocation <= bytes.length, `allocated ${largestAllocation} for a ${bytes.length}-byte file`);
      return file;
    } finally {
      file.close();
    }
  }

  it('opens every file the encoder writes, as written', () => {
    fc.assert(
      fc.property(validFile, ({ specs, metadata, bytes }) => {
        const file = checkFile(bytes);
        assert.ok(file !== undefined, 'a valid file opens');
        assert.deepEqual(
          [...file.tensors.values()].map(({ name, dtype, shape }) => ({ name, dtype, shape })).sort(byName),
          specs.map(({ name, dtype, shape }) => ({ name, dtype, shape })).sort(byName),
        );
        assert.deepEqual(file.metadata, metadata ?? {});
      }),
      { numRuns: 1000 },
    );
  });

  it('refuses or reads consistently every file with one header field changed', () => {
    fc.assert(
      fc.property(
        validFile.chain(({ bytes }) => mutateHeader(bytes)),
        (bytes) => void checkFile(bytes),
      ),
      { numRuns: 1000 },
    );
  });

  it('refuses or reads consistently every file with damaged bytes, length prefix or length', () => {
    fc.assert(
      fc.property(
        validFile.chain(({ bytes }) => damageBytes(bytes)),
        (bytes) => void checkFile(bytes),
      ),
      { numRuns: 1000 },
    );
  });

  it('parses random headers to a typed error or tensors inside the data section', () => {
    const header = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => new Uint8Array(Buffer.from(JSON.stringify(value) ?? ''))),
      fc
        .dictionary(
          tensorName,
          fc.record(
            { dtype: fc.oneof(fc.constantFrom(...DTYPES), wrongValue), shape: wrongValue, data_offsets: wrongValue },
            { requiredKeys: [] },
          ),
        )
        .map((value) => new Uint8Array(Buffer.from(JSON.stringify(value)))),
    );
    fc.assert(
      fc.property(header, fc.nat({ max: 64 }), (bytes, dataLength) => {
        let parsed: ReturnType<typeof parseSafetensorsHeader>;
        try {
          parsed = parseSafetensorsHeader(bytes, 8, dataLength, 'random.safetensors');
        } catch (error) {
          assert.ok(error instanceof CheckpointError, `not a CheckpointError: ${String(error)}`);
          assert.equal(error.file, 'random.safetensors');
          return;
        }
        let total = 0;
        for (const tensor of parsed.tensors.values()) {
          assert.ok(tensor.byteOffset >= 8 && tensor.byteOffset + tensor.byteLength <= 8 + dataLength);
          total += tensor.byteLength;
        }
        assert.equal(total, dataLength);
      }),
      { numRuns: 5000 },
    );
  });
});

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
