import { KvCache, restrideRows, type Float32KvRows, type KvGeometry, type KvLayerInputs, type KvRows } from './kvCache';

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
    return { key: { data: this.keys[index].subarray(0, size), dims }, value: { data: this.values[index].subarray(0, size), dims } };
  }

  append(newKeys: readonly Float32Array[], newValues: readonly Float32Array[], count: number): void {
    const start = this.used;
    if (start + count > this.capacity) throw new RangeError(`appending ${count} positions overflows the reserved ${this.capacity}`);
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      writeColumns(this.keys[layer], newKeys[layer], this.rows, this.capacity, start, count);
      writeColumns(this.values[layer], newValues[layer], this.rows, this.capacity, start, count);
    }
    this.used = start + count;
  }

  copyRows(from: number, to: number): Float32KvRows {
    this.checkCopyRange(from, to);
    const count = to - from;
    const copy = (buffer: Float32Array): Float32Array => {
      const rows = new Float32Array(this.rows * count);
      for (let row = 0; row < this.rows; row++) rows.set(buffer.subarray(row * this.capacity + from, row * this.capacity + to), row * count);
      return rows;
    };
    return { keys: this.keys.map(copy), values: this.values.map(copy), count };
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

  protected restride(from: number, to: number): void {
    for (let layer = 0; layer < this.geometry.numLayers; layer++) {
      restrideRows(this.keys[layer], this.rows, from, to, this.used);
      restrideRows(this.values[layer], this.rows, from, to, this.used);
    }
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
