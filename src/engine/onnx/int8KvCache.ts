import {
  KvCache,
  readColumns,
  restrideRows,
  writeColumns,
  type Int8KvRows,
  type KvGeometry,
  type KvLayerInputs,
  type KvRows,
} from './kvCache';

/** Levels run −127..127: symmetric, so a level times its scale is the value, with no zero point. */
const MAX_LEVEL = 127;
/** The graph adds this to the query's levels so that they are unsigned (see int8KvAttention.ts). */
export const QUERY_LEVEL_OFFSET = 128;

/**
 * The 8-bit cache: each key and value vector (one head, one position) is quantized on its own, symmetric,
 * with scale max|x|/127, the per-token scheme of LMDeploy's int8 KV cache. Per layer:
 *   keys          int8 [kvHeads][headDim][capacity]   positions contiguous, for the scores' GEMV
 *   keyScales     float [kvHeads][capacity]
 *   keyOffsets    float [kvHeads][capacity]           128·Σ levels·scale: the graph's unsigned query
 *                                                     levels add 128·Σ levels to each dot product;
 *                                                     +∞ at unused positions, which masks them
 *   values        int8 [kvHeads][capacity][headDim]   rows of one position contiguous, for probs·V
 *   valueScales   float [kvHeads][capacity]
 * New rows arrive in float32 from the graph and are quantized here, once.
 */
export class Int8KvCache extends KvCache {
  readonly dtype = 'int8';
  private readonly keys: Int8Array[];
  private readonly keyScales: Float32Array[];
  private readonly keyOffsets: Float32Array[];
  private readonly values: Int8Array[];
  private readonly valueScales: Float32Array[];

  constructor(geometry: KvGeometry, maxLength: number) {
    super(geometry, maxLength);
    const { numLayers, numKvHeads, headDim } = geometry;
    // Reserved, not committed: zero-filled pages of a large allocation cost no memory until written.
    const layers = <T>(make: () => T): T[] => Array.from({ length: numLayers }, make);
    this.keys = layers(() => new Int8Array(numKvHeads * headDim * maxLength));
    this.values = layers(() => new Int8Array(numKvHeads * maxLength * headDim));
    this.keyScales = layers(() => new Float32Array(numKvHeads * maxLength));
    this.keyOffsets = layers(() => new Float32Array(numKvHeads * maxLength));
    this.valueScales = layers(() => new Float32Array(numKvHeads * maxLength));
    this.maskUnused(0);
  }

  protected override grew(): void {
    this.maskUnused(this.used);
  }

  override truncate(length: number): void {
    const old = this.used;
    super.truncate(length);
    if (this.used !== old) this.maskUnused(this.used);
  }

  layer(index: number): KvLayerInputs {
    const { numKvHeads: heads, headDim } = this.geometry;
    const capacity = this.capacity;
    const perPosition = { dims: [heads, 1, 1, capacity], size: heads * capacity };
    return {
      key: { data: this.keys[index].subarray(0, heads * headDim * capacity), dims: [heads, 1, headDim, capacity] },
      keyScale: { data: this.keyScales[index].subarray(0, perPosition.size), dims: perPosition.dims },
      keyOffset: { data: this.keyOffsets[index].subarray(0, perPosition.size), dims: perPosition.dims },
      value: { data: this.values[index].subarray(0, heads * capacity * headDim), dims: [heads, capacity, headDim] },
      valueScale: { data: this.valueScales[index].subarray(0, perPosition.size), dims: perPosition.dims },
    };
  }

  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[], count: number): void {
    const { numLayers, numKvHeads: heads, headDim } = this.geometry;
    const start = this.used;
    const capacity = this.capacity;
    if (start + count > capacity)
      throw new RangeError(`appending ${count} positions overflows the reserved ${capacity}`);
    const expected = heads * headDim * count;
    for (let layer = 0; layer < numLayers; layer++) {
      if (newKeys[layer].length !== expected || newValues[layer].length !== expected) {
        throw new RangeError(
          `expected ${expected} new cache values, got ${newKeys[layer].length} and ${newValues[layer].length}`,
        );
      }
      for (let head = 0; head < heads; head++) {
        for (let i = 0; i < count; i++) {
          const position = start + i;
          // Source [heads·headDim][count]: element d of this vector sits at (head·headDim + d)·count + i.
          const source = head * headDim * count + i;
          const keyScale = quantize(
            newKeys[layer],
            source,
            count,
            this.keys[layer],
            head * headDim * capacity + position,
            capacity,
            headDim,
          );
          this.setKeyScale(layer, head * capacity + position, keyScale, head * headDim * capacity + position, capacity);
          const valueScale = quantize(
            newValues[layer],
            source,
            count,
            this.values[layer],
            (head * capacity + position) * headDim,
            1,
            headDim,
          );
          this.valueScales[layer][head * capacity + position] = valueScale;
        }
      }
    }
    this.used = start + count;
  }

  copyRows(from: number, to: number): Int8KvRows {
    this.checkCopyRange(from, to);
    const { numKvHeads: heads, headDim } = this.geometry;
    const capacity = this.capacity;
    return {
      dtype: 'int8',
      keys: this.keys.map((buffer) => readColumns(buffer, heads * headDim, capacity, from, to)),
      keyScales: this.keyScales.map((buffer) => readColumns(buffer, heads, capacity, from, to)),
      // Positions of headDim levels each: columns headDim wide.
      values: this.values.map((buffer) => readColumns(buffer, heads, capacity * headDim, from * headDim, to * headDim)),
      valueScales: this.valueScales.map((buffer) => readColumns(buffer, heads, capacity, from, to)),
      count: to - from,
    };
  }

  appendRows(rows: KvRows, offset: number, count: number): void {
    this.checkRowsRange(rows, offset, count);
    const copied = rows as Int8KvRows;
    const { numLayers, numKvHeads: heads, headDim } = this.geometry;
    const start = this.used;
    this.reserve(start + count);
    const capacity = this.capacity;
    const width = copied.count;
    for (let layer = 0; layer < numLayers; layer++) {
      writeColumns(this.keys[layer], copied.keys[layer], heads * headDim, capacity, start, count, width, offset);
      writeColumns(
        this.values[layer],
        copied.values[layer],
        heads,
        capacity * headDim,
        start * headDim,
        count * headDim,
        width * headDim,
        offset * headDim,
      );
      writeColumns(this.valueScales[layer], copied.valueScales[layer], heads, capacity, start, count, width, offset);
      for (let head = 0; head < heads; head++) {
        const source = head * width + offset;
        for (let i = 0; i < count; i++) {
          const position = start + i;
          this.setKeyScale(
            layer,
            head * capacity + position,
            copied.keyScales[layer][source + i],
            head * headDim * capacity + position,
            capacity,
          );
        }
      }
    }
    this.used = start + count;
  }

  protected restrideLayer(layer: number, from: number, to: number): void {
    const { numKvHeads: heads, headDim } = this.geometry;
    restrideRows(this.keys[layer], heads * headDim, from, to, this.used);
    restrideRows(this.values[layer], heads, from, to, this.used, headDim);
    for (const perPosition of [this.keyScales, this.keyOffsets, this.valueScales])
      restrideRows(perPosition[layer], heads, from, to, this.used);
  }

  /** Sets the key offsets of positions [from, capacity) to +∞, so that their scores are −∞ (int8KvAttention.ts). */
  private maskUnused(from: number): void {
    const capacity = this.capacity;
    for (const offsets of this.keyOffsets) {
      for (let head = 0; head < this.geometry.numKvHeads; head++)
        offsets.fill(Infinity, head * capacity + from, (head + 1) * capacity);
    }
  }

  /** Stores a key's scale and the offset its levels (already in place, `stride` apart) imply. */
  private setKeyScale(layer: number, at: number, scale: number, firstLevel: number, stride: number): void {
    const levels = this.keys[layer];
    let sum = 0;
    for (let d = 0; d < this.geometry.headDim; d++) sum += levels[firstLevel + d * stride];
    this.keyScales[layer][at] = scale;
    this.keyOffsets[layer][at] = QUERY_LEVEL_OFFSET * sum * scale;
  }
}

/**
 * Quantizes the `length` values source[from + k·sourceStride] into target[to + k·targetStride] and returns
 * their scale (0 for a zero vector, whose levels are all 0).
 */
export function quantize(
  source: Float32Array,
  from: number,
  sourceStride: number,
  target: Int8Array,
  to: number,
  targetStride: number,
  length: number,
): number {
  let largest = 0;
  for (let k = 0; k < length; k++) largest = Math.max(largest, Math.abs(source[from + k * sourceStride]));
  const scale = Math.fround(largest / MAX_LEVEL);
  const inverse = scale === 0 ? 0 : 1 / scale;
  for (let k = 0; k < length; k++) {
    const level = Math.round(source[from + k * sourceStride] * inverse);
    target[to + k * targetStride] = level > MAX_LEVEL ? MAX_LEVEL : level < -MAX_LEVEL ? -MAX_LEVEL : level;
  }
  return scale;
}
