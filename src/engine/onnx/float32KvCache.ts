import {
  KvCache,
  readColumns,
  restrideRows,
  writeColumns,
  type Float32KvRows,
  type KvGeometry,
  type KvLayerInputs,
  type KvRows,
} from './kvCache';

/**
 * The exact cache: each layer keeps K and V as float32 [kvHeads][headDim][capacity], so positions are
 * contiguous per (head, dim) row, which is what the graph's M=1 GEMV kernels stream through on a decode step.
 */
export class Float32KvCache extends KvCache {
  readonly dtype = 'float32';
  private readonly rows: number;
  private readonly keys: Float32Array[];
  private readonly values: Float32Array[];

  constructor(geometry: KvGeometry, maxLength: number) {
    super(geometry, maxLength);
    this.rows = geometry.numKvHeads * geometry.headDim;
    // Reserved, not committed: zero-filled pages of a large allocation cost no memory until written.
    this.keys = Array.from({ length: geometry.numLayers }, () => new Float32Array(this.rows * maxLength));
    this.values = Array.from({ length: geometry.numLayers }, () => new Float32Array(this.rows * maxLength));
  }

  /** [kvHeads, 1, headDim, capacity] each. */
  layer(index: number): KvLayerInputs {
    const dims = [this.geometry.numKvHeads, 1, this.geometry.headDim, this.capacity];
    const size = this.rows * this.capacity;
    return {
      key: { data: this.keys[index].subarray(0, size), dims },
      value: { data: this.values[index].subarray(0, size), dims },
    };
  }

  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[], count: number): void {
    const start = this.used;
    if (start + count > this.capacity)
      throw new RangeError(`appending ${count} positions overflows the reserved ${this.capacity}`);
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      writeColumns(this.keys[layer], newKeys[layer], this.rows, this.capacity, start, count);
      writeColumns(this.values[layer], newValues[layer], this.rows, this.capacity, start, count);
    }
    this.used = start + count;
  }

  copyRows(from: number, to: number): Float32KvRows {
    this.checkCopyRange(from, to);
    const copy = (buffer: Float32Array): Float32Array => readColumns(buffer, this.rows, this.capacity, from, to);
    return { keys: this.keys.map(copy), values: this.values.map(copy), count: to - from };
  }

  appendRows(rows: KvRows, offset: number, count: number): void {
    this.checkRowsRange(rows, offset, count);
    const { keys, values } = rows as Float32KvRows;
    const start = this.used;
    this.reserve(start + count);
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      writeColumns(this.keys[layer], keys[layer], this.rows, this.capacity, start, count, rows.count, offset);
      writeColumns(this.values[layer], values[layer], this.rows, this.capacity, start, count, rows.count, offset);
    }
    this.used = start + count;
  }

  protected restrideLayer(layer: number, from: number, to: number): void {
    restrideRows(this.keys[layer], this.rows, from, to, this.used);
    restrideRows(this.values[layer], this.rows, from, to, this.used);
  }
}
