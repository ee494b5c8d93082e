/**
 * The decoder's KV cache in memory the engine owns, fed to the graph as inputs with a mask; the graph returns
 * only new rows, since onnxruntime-node copies every output (docs/architecture.md). This base holds what
 * Float32KvCache and Int8KvCache share: capacity, growth in small buckets reserved once and grown in place, the mask.
 */
import type { KvCacheDtype } from '../../shared/protocol';
import type { Feed } from './ortSession';

const BUCKET = 64;
const GROWTH_DIVISOR = 16;

export interface KvGeometry {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

/**
 * Bytes of a cache holding `positions` positions of every layer. float32 is exact; int8 is symmetric per (head,
 * position) with a float scale, 3.8× smaller at head_dim 128: it stores, per head and position, headDim
 * key and value levels plus three floats: the key scale, the key's level-sum correction and the value scale.
 */
export function kvCacheBytes(geometry: KvGeometry, positions: number, dtype: KvCacheDtype = 'float32'): number {
  const perHead = dtype === 'float32' ? 2 * geometry.headDim * 4 : 2 * geometry.headDim + 3 * 4;
  return geometry.numLayers * geometry.numKvHeads * perHead * positions;
}

/**
 * Keys and values of consecutive positions copied out of a cache, for a prefix cache: per layer
 * [kvHeads·headDim][count], the layout the graph emits new rows in.
 */
export interface Float32KvRows {
  dtype?: 'float32';
  keys: Float32Array[];
  values: Float32Array[];
  count: number;
}

/** The int8 cache's rows, per layer: key levels [kvHeads][headDim][count], value levels [kvHeads][count][headDim]. */
export interface Int8KvRows {
  dtype: 'int8';
  keys: Int8Array[];
  /** [kvHeads][count] */
  keyScales: Float32Array[];
  values: Int8Array[];
  /** [kvHeads][count] */
  valueScales: Float32Array[];
  count: number;
}

export type KvRows = Float32KvRows | Int8KvRows;

/** A layer's cache as graph inputs, by role; the float32 cache has only key and value. */
export type KvLayerInputs = Partial<Record<'key' | 'value' | 'keyScale' | 'keyOffset' | 'valueScale', Feed>>;

export abstract class KvCache {
  abstract readonly dtype: KvCacheDtype;
  private allocated: number;
  protected used = 0;

  constructor(
    protected readonly geometry: KvGeometry,
    readonly maxLength: number,
  ) {
    if (!Number.isInteger(maxLength) || maxLength < 1)
      throw new RangeError(`KV cache length must be a positive integer, got ${maxLength}`);
    // Never empty: a zero-length past would reach MatMul kernels that crash on it.
    this.allocated = Math.min(BUCKET, maxLength);
  }

  /** Cached positions. */
  get length(): number {
    return this.used;
  }

  /** Positions the buffers hold now (≥ length, ≥ 1). */
  get capacity(): number {
    return this.allocated;
  }

  /** Bytes one position takes. */
  get bytesPerPosition(): number {
    return kvCacheBytes(this.geometry, 1, this.dtype);
  }

  /** The graph inputs for a layer: its whole buffers, `capacity` positions wide. */
  abstract layer(index: number): KvLayerInputs;

  /**
   * Writes a chunk's rows ([kvHeads·headDim][count] per layer, as the graph emits them) after the cached
   * positions and makes them part of the cache. Call `reserve(length + count)` first.
   */
  abstract append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[], count: number): void;

  /** Copies positions [from, to) of every layer out of the cache. */
  abstract copyRows(from: number, to: number): KvRows;

  /**
   * Appends positions [offset, offset + count) of rows copied from a cache of the same dtype after the cached
   * positions: the same cache as running the tokens they were computed from, provided the positions before
   * them hold the same tokens.
   */
  abstract appendRows(rows: KvRows, offset: number, count: number): void;

  /** Moves one layer's rows from a stride of `from` positions to `to`, keeping the first `length`. */
  protected abstract restrideLayer(layer: number, from: number, to: number): void;

  /** Called once the capacity has grown (every layer restrided). */
  protected grew(): void {}

  /** Grows the buffers so that `positions` positions fit. */
  reserve(positions: number): void {
    const capacity = this.grownCapacity(positions);
    if (capacity === undefined) return;
    for (let layer = 0; layer < this.geometry.numLayers; layer++) this.restrideLayer(layer, this.allocated, capacity);
    this.allocated = capacity;
    this.grew();
  }

  /** The capacity that fits `positions`, or undefined when the current one does. */
  private grownCapacity(positions: number): number | undefined {
    if (positions > this.maxLength) throw new RangeError(`${positions} positions exceed the cache's ${this.maxLength}`);
    const old = this.allocated;
    if (positions <= old) return undefined;
    const grown = Math.ceil(Math.max(positions, old + old / GROWTH_DIVISOR) / BUCKET) * BUCKET;
    return Math.min(grown, this.maxLength);
  }

  /**
   * Keeps the first `length` positions (prefix reuse, rewinding a generation). A step reads the whole
   * capacity, so a cache cut to well under half of it shrinks back, or a short request after a long one
   * would pay for the long one's positions.
   */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.used)
      throw new RangeError(`cannot truncate ${this.used} cached positions to ${length}`);
    this.used = length;
    const fitting = Math.min(Math.max(BUCKET, Math.ceil(length / BUCKET) * BUCKET), this.maxLength);
    if (fitting * 2 > this.allocated) return;
    for (let layer = 0; layer < this.geometry.numLayers; layer++) this.restrideLayer(layer, this.allocated, fitting);
    this.allocated = fitting;
  }

  /**
   * The additive mask for a chunk of `count` new positions, [count][capacity + count]: each new position sees
   * the cached positions and the chunk's positions up to itself, not the unused tail of the buffer.
   */
  attentionMask(count: number): Float32Array {
    const width = this.allocated + count;
    const mask = new Float32Array(count * width).fill(-Infinity);
    for (let row = 0; row < count; row++) {
      mask.fill(0, row * width, row * width + this.used);
      mask.fill(0, row * width + this.allocated, row * width + this.allocated + row + 1);
    }
    return mask;
  }

  protected checkCopyRange(from: number, to: number): void {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.used || from >= to) {
      throw new RangeError(`cannot copy positions [${from}, ${to}) of ${this.used} cached`);
    }
  }

  protected checkRowsRange(rows: KvRows, offset: number, count: number): void {
    if (
      !Number.isInteger(offset) ||
      !Number.isInteger(count) ||
      offset < 0 ||
      count < 1 ||
      offset + count > rows.count
    ) {
      throw new RangeError(`cannot take positions [${offset}, ${offset + count}) of ${rows.count} copied`);
    }
    if ((rows.dtype ?? 'float32') !== this.dtype)
      throw new TypeError(`cannot append ${rows.dtype ?? 'float32'} rows to the ${this.dtype} KV cache`);
  }
}

type StridedArray = Float32Array | Int8Array;

/** Positions [from, to) of each of `rows` rows `capacity` wide, as a new [rows][to − from] array. */
export function readColumns<T extends StridedArray>(
  buffer: T,
  rows: number,
  capacity: number,
  from: number,
  to: number,
): T {
  const count = to - from;
  const out = new (buffer.constructor as new (length: number) => T)(rows * count);
  for (let row = 0; row < rows; row++)
    out.set(buffer.subarray(row * capacity + from, row * capacity + to), row * count);
  return out;
}

/**
 * target[row][start..start+count) = source[row][offset..offset+count) for a [rows][capacity] target and a
 * [rows][width] source.
 */
export function writeColumns<T extends StridedArray>(
  target: T,
  source: T,
  rows: number,
  capacity: number,
  start: number,
  count: number,
  width = count,
  offset = 0,
): void {
  if (source.length !== rows * width)
    throw new RangeError(`expected ${rows * width} new cache values, got ${source.length}`);
  if (count >= 16) {
    for (let row = 0; row < rows; row++)
      target.set(source.subarray(row * width + offset, row * width + offset + count), row * capacity + start);
    return;
  }
  // A typed-array set() per row costs more than copying a few values one by one.
  for (let row = 0; row < rows; row++) {
    const to = row * capacity + start;
    const from = row * width + offset;
    for (let i = 0; i < count; i++) target[to + i] = source[from + i]!;
  }
}

/**
 * Moves `rows` rows of `unit`-element positions from a stride of `from` positions to `to`, keeping the first
 * `used`: from the last row to the first when widening and the other way when narrowing, so no row overwrites
 * one not yet moved.
 */
export function restrideRows(
  buffer: StridedArray,
  rows: number,
  from: number,
  to: number,
  used: number,
  unit = 1,
): void {
  if (to > from) {
    for (let row = rows - 1; row > 0; row--)
      buffer.copyWithin(row * to * unit, row * from * unit, (row * from + used) * unit);
  } else {
    for (let row = 1; row < rows; row++)
      buffer.copyWithin(row * to * unit, row * from * unit, (row * from + used) * unit);
  }
}
