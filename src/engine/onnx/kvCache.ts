/**
 * The decoder's key/value cache, in memory the engine owns. Each layer keeps K and V as float32
 * [kvHeads][headDim][capacity]: positions are contiguous per (head, dim) row, which is what the graph's M=1
 * GEMV kernels stream through on a decode step. The whole buffer goes into the graph as an input (onnxruntime
 * wraps input memory without copying) with a mask that hides positions ≥ length; the graph returns only the
 * chunk's new rows, which `append` writes in place.
 *
 * The capacity grows in buckets up to the context length. A step reads the whole bucket, so buckets are small
 * (a 1/16 growth, rounded to 64 positions). Each layer's K and V are reserved once for the whole context and
 * regrown in place: the operating system commits pages only as they are written, so memory follows the
 * positions in use, and growing leaves no old buffers behind for the garbage collector (which would otherwise
 * hold up to a second cache's worth until it ran).
 */

const BUCKET = 64;
const GROWTH_DIVISOR = 16;

export interface KvGeometry {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
}

/** Bytes of a float32 cache holding `positions` positions of every layer. */
export function kvCacheBytes(geometry: KvGeometry, positions: number): number {
  return 2 * geometry.numLayers * geometry.numKvHeads * geometry.headDim * 4 * positions;
}

/**
 * Keys and values of consecutive positions copied out of a cache, for a prefix cache: per layer
 * [kvHeads·headDim][count], the layout the graph emits new rows in.
 */
export interface KvRows {
  keys: Float32Array[];
  values: Float32Array[];
  count: number;
}

export class KvCache {
  private readonly rows: number;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];
  private allocated: number;
  private used = 0;

  constructor(
    private readonly geometry: KvGeometry,
    readonly maxLength: number,
  ) {
    if (!Number.isInteger(maxLength) || maxLength < 1) throw new RangeError(`KV cache length must be a positive integer, got ${maxLength}`);
    this.rows = geometry.numKvHeads * geometry.headDim;
    // Reserved, not committed: zero-filled pages of a large allocation cost no memory until written.
    this.keys = Array.from({ length: geometry.numLayers }, () => new Float32Array(this.rows * maxLength));
    this.values = Array.from({ length: geometry.numLayers }, () => new Float32Array(this.rows * maxLength));
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

  /** Grows the buffers so that `positions` positions fit. */
  reserve(positions: number): void {
    if (positions > this.maxLength) throw new RangeError(`${positions} positions exceed the cache's ${this.maxLength}`);
    const old = this.capacity;
    if (positions <= old) return;
    const grown = Math.ceil(Math.max(positions, old + old / GROWTH_DIVISOR) / BUCKET) * BUCKET;
    const capacity = Math.min(grown, this.maxLength);
    // Rows move to their wider stride from the last to the first, so no row overwrites one not yet moved.
    const regrow = (buffer: Float32Array): void => {
      for (let row = this.rows - 1; row > 0; row--) buffer.copyWithin(row * capacity, row * old, row * old + this.used);
    };
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      regrow(this.keys[layer]);
      regrow(this.values[layer]);
    }
    this.allocated = capacity;
  }

  /** The graph inputs for a layer: the whole buffer, [kvHeads, 1, headDim, capacity]. */
  layer(index: number): { key: Float32Array; value: Float32Array; dims: number[] } {
    const dims = [this.geometry.numKvHeads, 1, this.geometry.headDim, this.capacity];
    const size = this.rows * this.capacity;
    return { key: this.keys[index].subarray(0, size), value: this.values[index].subarray(0, size), dims };
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

  /**
   * Writes a chunk's rows ([kvHeads·headDim][count] per layer, as the graph emits them) after the cached
   * positions and makes them part of the cache. Call `reserve(length + count)` first.
   */
  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[], count: number): void {
    const start = this.used;
    if (start + count > this.capacity) throw new RangeError(`appending ${count} positions overflows the reserved ${this.capacity}`);
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      writeColumns(this.keys[layer], newKeys[layer], this.rows, this.capacity, start, count);
      writeColumns(this.values[layer], newValues[layer], this.rows, this.capacity, start, count);
    }
    this.used = start + count;
  }

  /** Copies positions [from, to) of every layer out of the cache. */
  copyRows(from: number, to: number): KvRows {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > this.used || from >= to) {
      throw new RangeError(`cannot copy positions [${from}, ${to}) of ${this.used} cached`);
    }
    const count = to - from;
    const copy = (buffer: Float32Array): Float32Array => {
      const rows = new Float32Array(this.rows * count);
      for (let row = 0; row < this.rows; row++) rows.set(buffer.subarray(row * this.allocated + from, row * this.allocated + to), row * count);
      return rows;
    };
    return { keys: this.keys.map(copy), values: this.values.map(copy), count };
  }

  /**
   * Appends positions [offset, offset + count) of copied rows after the cached positions: the same cache as
   * running the tokens they were computed from, provided the positions before them hold the same tokens.
   */
  appendRows(rows: KvRows, offset: number, count: number): void {
    if (!Number.isInteger(offset) || !Number.isInteger(count) || offset < 0 || count < 1 || offset + count > rows.count) {
      throw new RangeError(`cannot take positions [${offset}, ${offset + count}) of ${rows.count} copied`);
    }
    const start = this.used;
    this.reserve(start + count);
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      writeColumns(this.keys[layer], rows.keys[layer], this.rows, this.capacity, start, count, rows.count, offset);
      writeColumns(this.values[layer], rows.values[layer], this.rows, this.capacity, start, count, rows.count, offset);
    }
    this.used = start + count;
  }

  /**
   * Keeps the first `length` positions (prefix reuse, rewinding a generation). A step reads the whole
   * capacity, so a cache cut to well under half of it shrinks back, or a short request after a long one
   * would pay for the long one's positions.
   */
  truncate(length: number): void {
    if (!Number.isInteger(length) || length < 0 || length > this.used) throw new RangeError(`cannot truncate ${this.used} cached positions to ${length}`);
    this.used = length;
    const fitting = Math.min(Math.max(BUCKET, Math.ceil(length / BUCKET) * BUCKET), this.maxLength);
    if (fitting * 2 > this.allocated) return;
    // Rows move to their narrower stride from the first to the last, so no row overwrites one not yet moved.
    const old = this.allocated;
    const narrow = (buffer: Float32Array): void => {
      for (let row = 1; row < this.rows; row++) buffer.copyWithin(row * fitting, row * old, row * old + this.used);
    };
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      narrow(this.keys[layer]);
      narrow(this.values[layer]);
    }
    this.allocated = fitting;
  }
}

/**
 * target[row][start..start+count) = source[row][offset..offset+count) for a [rows][capacity] target and a
 * [rows][width] source.
 */
function writeColumns(target: Float32Array, source: Float32Array, rows: number, capacity: number, start: number, count: number, width = count, offset = 0): void {
  if (source.length !== rows * width) throw new RangeError(`expected ${rows * width} new cache values, got ${source.length}`);
  if (count >= 16) {
    for (let row = 0; row < rows; row++) target.set(source.subarray(row * width + offset, row * width + offset + count), row * capacity + start);
    return;
  }
  // A typed-array set() per row costs more than copying a few values one by one.
  for (let row = 0; row < rows; row++) {
    const to = row * capacity + start;
    const from = row * width + offset;
    for (let i = 0; i < count; i++) target[to + i] = source[from + i]!;
  }
}
