import type { KvRows } from '../../../src/engine/onnx/kvCache';
import type { SequenceDecoder } from '../../../src/engine/generation/cachedDecoder';
import type { Turn } from '../../../src/engine/generation/decoderScheduler';

/**
 * A decoder whose "keys" at each position are a hash of every token up to it, so a cache restored from
 * snapshots can be compared exactly with one computed from scratch. Float32 holds the hashes exactly (< 2^20).
 */
export class FakeDecoder implements SequenceDecoder {
  readonly state: number[] = [];
  /** The tokens of every prefill run, in order. */
  readonly runs: number[][] = [];

  get length(): number {
    return this.state.length;
  }

  prefill(tokens: readonly number[], signal?: AbortSignal): Promise<Float32Array> {
    signal?.throwIfAborted();
    this.runs.push([...tokens]);
    for (const token of tokens) this.state.push(mix(this.state.at(-1) ?? 0, token));
    return Promise.resolve(Float32Array.of(this.state.at(-1)!));
  }

  truncate(length: number): void {
    this.state.length = length;
  }

  copyRows(from: number, to: number): KvRows {
    const rows = Float32Array.from(this.state.slice(from, to));
    return { keys: [rows], values: [rows.slice()], count: to - from };
  }

  appendRows(rows: KvRows, offset: number, count: number): void {
    for (let i = 0; i < count; i++) this.state.push(rows.keys[0][offset + i]);
  }

  /** Tokens computed by prefill runs so far. */
  get computed(): number {
    return this.runs.reduce((sum, run) => sum + run.length, 0);
  }
}

/** The cache a decoder holds after computing `tokens` from scratch. */
export function stateOf(tokens: readonly number[]): number[] {
  const state: number[] = [];
  for (const token of tokens) state.push(mix(state.at(-1) ?? 0, token));
  return state;
}

/** A turn that never has to wait; `between` runs at each step boundary (another request's turn). */
export function freeTurn(between?: () => void | Promise<void>): Turn {
  return {
    async yield(signal) {
      await between?.();
      signal.throwIfAborted();
    },
    release() {},
  };
}

function mix(previous: number, token: number): number {
  return (previous * 31 + token + 1) % 1_048_573;
}
