import { randomInt } from 'node:crypto';
import { Xoshiro128 } from '../random/xoshiro128';

const MASK_64 = (1n << 64n) - 1n;
/** Seeds are JSON numbers: any non-negative integer JavaScript represents exactly. */
export const MAX_SEED = Number.MAX_SAFE_INTEGER;

/**
 * The sampler's random numbers: xoshiro128** seeded through SplitMix64 as its authors recommend, so the same
 * seed gives the same sequence on every platform and Node version.
 */
export class SeededRandom {
  private readonly generator: Xoshiro128;

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed) || seed < 0)
      throw new RangeError(`seed must be an integer from 0 to ${MAX_SEED}, not ${seed}`);
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
    this.generator = new Xoshiro128(
      Number(a & 0xffffffffn),
      Number(a >> 32n),
      Number(b & 0xffffffffn),
      Number(b >> 32n),
    );
  }

  /** A seed for requests that give none; reported back so the user can reproduce the output. */
  static randomSeed(): number {
    return randomInt(2 ** 32); // short enough to read back and type in
  }

  /** The next 32-bit unsigned integer. */
  nextUint32(): number {
    return this.generator.nextUint32();
  }

  /** A uniform number in [0, 1) with 32 bits of resolution. */
  nextFloat(): number {
    return this.nextUint32() / 0x1_0000_0000;
  }
}
