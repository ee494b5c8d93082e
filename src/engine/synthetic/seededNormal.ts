import { Xoshiro128 } from '../random/xoshiro128';

/**
 * Deterministic normal samples for synthetic weights: xoshiro128** seeded through splitmix32 from a seed and
 * a stream name, Box–Muller for the normals. Each tensor gets its own stream (its name), so a tensor's values
 * do not depend on which other tensors a checkpoint holds, nor on how they are stored. V8 computes
 * Math.log/cos/sin with its own fdlibm port, so the samples are the same on every platform.
 */
export class SeededNormal {
  private readonly generator: Xoshiro128;
  private spare: number | undefined;

  constructor(seed: number, stream: string) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, not ${seed}`);
    let state =
      (seed >>> 0) ^ Math.imul(Math.floor(seed / 2 ** 32) >>> 0, 0x9e3779b9) ^ Math.imul(fnv1a(stream), 0x85ebca6b);
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.generator = new Xoshiro128(next(), next(), next(), next());
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    return this.generator.nextUint32();
  }

  /** Next standard normal sample. */
  nextNormal(): number {
    if (this.spare !== undefined) {
      const spare = this.spare;
      this.spare = undefined;
      return spare;
    }
    const u1 = (this.nextUint32() + 1) / 2 ** 32; // (0, 1]: log stays finite
    const u2 = this.nextUint32() / 2 ** 32;
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.spare = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  /** Fills `out` with samples of N(mean, std²), continuing the stream. */
  fill(out: Float32Array, mean: number, std: number): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.nextNormal();
  }
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
}
