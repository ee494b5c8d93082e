import { randomInt } from 'node:crypto';

const MASK_64 = (1n << 64n) - 1n;
/** Seeds are JSON numbers: any non-negative integer JavaScript represents exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * xoshiro128** (Blackman & Vigna), seeded through SplitMix64 as its authors recommend: the same seed gives
 * the same sequence on every platform and Node version, which Math.random cannot promise. Fast (a few
 * 32-bit operations per number) and statistically sound for sampling; not for cryptography.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be an integer from 0 to ${MAX_SEED}, not ${seed}`);
    let state = BigInt(seed);
    const next64 = (): bigint => {
      state = (state + 0x9e3779b97f4a7c15n) & MASK_64;
      let z = state;
      z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
      z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
      return z ^ (z >> 31n);
    };
    const a = next64();
    const b = next64();
    // Low word first, as a C implementation filling uint32_t s[4] from two uint64_t on a little-endian machine.
    this.s0 = Number(a & 0xffffffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffffffffn);
    this.s3 = Number(b >> 32n);
  }

  /** A seed for requests that give none; reported back so the user can reproduce the output. */
  static randomSeed(): number {
    return randomInt(2 ** 32); // short enough to read back and type in
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
