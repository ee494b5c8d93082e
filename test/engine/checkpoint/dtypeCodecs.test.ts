import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeToFloat32, E4M3_TABLE } from '../../../src/engine/checkpoint/dtypeDecode';
import { encodeBf16, encodeE4M3, encodeFloat32Array, roundToBf16 } from '../../../src/engine/checkpoint/dtypeEncode';
import { SeededNormal } from '../../../src/engine/synthetic/seededNormal';

const bytesOf = (values: number[], Type: typeof Uint16Array | typeof Float32Array): Uint8Array =>
  new Uint8Array(new Type(values).buffer);

/** The E4M3 code nearest to `value`, ties to the even code, found by scanning all finite codes. */
function nearestE4M3(value: number): number {
  const sign = value < 0 ? 0x80 : 0;
  const magnitude = Math.min(Math.abs(value), 448);
  let best = 0;
  for (let code = 1; code <= 0x7e; code++) {
    const distance = Math.abs(E4M3_TABLE[code] - magnitude);
    const bestDistance = Math.abs(E4M3_TABLE[best] - magnitude);
    if (distance < bestDistance || (distance === bestDistance && code % 2 === 0)) best = code;
  }
  return sign | best;
}

describe('E4M3FN decoding', () => {
  it('decodes known codes exactly', () => {
    const known: [number, number][] = [
      [0x00, 0],
      [0x38, 1],
      [0xb8, -1],
      [0x7e, 448],
      [0xfe, -448],
      [0x01, 2 ** -9],
      [0x07, 7 * 2 ** -9],
      [0x08, 2 ** -6],
      [0x39, 1.125],
      [0x40, 2],
      [0x77, 240],
      [0x78, 256],
    ];
    for (const [code, value] of known) assert.equal(E4M3_TABLE[code], value, `code 0x${code.toString(16)}`);
    assert.ok(Object.is(E4M3_TABLE[0x80], -0));
  });

  it('has NaN only at 0x7F and 0xFF, no infinities, and 448 as the largest value', () => {
    const nans = [...E4M3_TABLE.keys()].filter((code) => Number.isNaN(E4M3_TABLE[code]));
    assert.deepEqual(nans, [0x7f, 0xff]);
    const finite = [...E4M3_TABLE].filter(Number.isFinite);
    assert.equal(finite.length, 254);
    assert.equal(Math.max(...finite), 448);
    assert.equal(Math.min(...finite), -448);
  });

  it('decodes a tensor through the table', () => {
    assert.deepEqual([...decodeToFloat32('F8_E4M3', Uint8Array.of(0x38, 0x7e, 0x01, 0xc0))], [1, 448, 2 ** -9, -2]);
  });
});

describe('E4M3FN encoding', () => {
  it('round-trips every finite code, signed zeros included', () => {
    for (let code = 0; code < 256; code++) {
      if ((code & 0x7f) === 0x7f) continue;
      assert.equal(encodeE4M3(E4M3_TABLE[code]), code, `code 0x${code.toString(16)}`);
    }
  });

  it('rounds ties to the even code, in normals, subnormals and across exponents', () => {
    assert.equal(encodeE4M3(1.0625), 0x38); // between 1 (0x38) and 1.125 (0x39)
    assert.equal(encodeE4M3(1.1875), 0x3a); // between 1.125 and 1.25
    assert.equal(encodeE4M3(2 ** -10), 0x00); // between 0 and 2^-9
    assert.equal(encodeE4M3(3 * 2 ** -10), 0x02);
    assert.equal(encodeE4M3(15 * 2 ** -10), 0x08); // between 7·2^-9 and 2^-6
    assert.equal(encodeE4M3(1.9375), 0x40); // between 1.875 (0x3F) and 2 (0x40)
    assert.equal(encodeE4M3(-1.0625), 0xb8);
  });

  it('saturates to ±448 and maps NaN to 0x7F', () => {
    assert.equal(encodeE4M3(449), 0x7e);
    assert.equal(encodeE4M3(1e9), 0x7e);
    assert.equal(encodeE4M3(Infinity), 0x7e);
    assert.equal(encodeE4M3(-Infinity), 0xfe);
    assert.equal(encodeE4M3(NaN), 0x7f);
  });

  it('matches an exhaustive nearest-code search on 20000 random values', () => {
    const random = new SeededNormal(1, 'e4m3');
    for (let i = 0; i < 20000; i++) {
      const value = random.nextNormal() * 2 ** Math.floor((random.nextUint32() / 2 ** 32) * 24 - 12);
      assert.equal(encodeE4M3(value), nearestE4M3(value), `value ${value}`);
    }
  });
});

describe('BF16', () => {
  it('decodes and encodes known values', () => {
    const bits = [0x3f80, 0xbf80, 0x4049, 0x7f80, 0xff80, 0x0000, 0x8000, 0x0001];
    const values = [1, -1, 3.140625, Infinity, -Infinity, 0, -0, 2 ** -133];
    assert.deepEqual([...decodeToFloat32('BF16', bytesOf(bits, Uint16Array))], values);
    assert.deepEqual(values.map(encodeBf16), bits);
    assert.ok(Number.isNaN(decodeToFloat32('BF16', bytesOf([0x7fc0], Uint16Array))[0]));
    assert.ok(Number.isNaN(roundToBf16(NaN)));
  });

  it('rounds to nearest even', () => {
    assert.equal(encodeBf16(1 + 2 ** -8), 0x3f80); // tie: 1 is even
    assert.equal(encodeBf16(1 + 3 * 2 ** -8), 0x3f82); // tie: 1 + 2^-6 is even
    assert.equal(encodeBf16(1 + 2 ** -8 + 2 ** -20), 0x3f81); // above the tie
    assert.equal(roundToBf16(Math.PI), 3.140625);
  });

  it('encodes arrays as little-endian bytes', () => {
    assert.deepEqual([...encodeFloat32Array(Float32Array.of(1, -2), 'BF16')], [0x80, 0x3f, 0x00, 0xc0]);
  });
});

describe('F16, F32 and F64', () => {
  it('decodes F16 normals, subnormals and infinities', () => {
    const bits = [0x3c00, 0x7bff, 0x0001, 0x0400, 0xc000, 0x7c00, 0x3555];
    const values = [1, 65504, 2 ** -24, 2 ** -14, -2, Infinity, 0.333251953125];
    assert.deepEqual([...decodeToFloat32('F16', bytesOf(bits, Uint16Array))], values);
  });

  it('decodes F32 and F64, and bytes that do not start on an element boundary', () => {
    const f32 = bytesOf([1.5, -2.25], Float32Array);
    assert.deepEqual([...decodeToFloat32('F32', f32)], [1.5, -2.25]);
    const unaligned = new Uint8Array(f32.length + 1);
    unaligned.set(f32, 1);
    assert.deepEqual([...decodeToFloat32('F32', unaligned.subarray(1))], [1.5, -2.25]);
    assert.deepEqual([...decodeToFloat32('F64', new Uint8Array(Float64Array.of(0.5, 3).buffer))], [0.5, 3]);
  });
});
