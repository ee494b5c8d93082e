/**
 * Partial selection over a vocabulary-sized logits array: the k largest entries without sorting all
 * ~152K of them. A bounded min-heap holds the best k seen so far; after it fills, almost every entry costs
 * one comparison with the heap's root, so a pass is O(n) in practice and O(n log k) at worst.
 * Ties go to the lower index, as with argmax; NaN counts as −∞.
 */
export class TopCandidates {
  private values = new Float64Array(0);
  private indices = new Int32Array(0);
  private sorted = new Int32Array(0);
  private size = 0;

  /**
   * The indices of the `count` largest of `logits[0..limit)`, best first. The returned array is a view
   * into a buffer reused by the next call.
   */
  select(logits: Float32Array, count: number, limit: number): Int32Array {
    count = Math.min(count, limit);
    if (this.indices.length < count) {
      this.values = new Float64Array(count);
      this.indices = new Int32Array(count);
      this.sorted = new Int32Array(count);
    }
    this.size = 0;
    let i = 0;
    for (; i < limit && this.size < count; i++) this.push(logitAt(logits, i), i);
    for (; i < limit; i++) {
      const value = logits[i];
      // Equal values lose to the earlier index already held, so only strictly greater ones get in.
      if (value > this.values[0]) this.replaceRoot(value, i);
    }
    // Popping yields the worst first: fill from the back for best-first order.
    for (let slot = count - 1; slot >= 0; slot--) this.sorted[slot] = this.pop();
    return this.sorted.subarray(0, count);
  }

  /** `a` ranks below `b`: a smaller value, or an equal value at a later index. */
  private below(a: number, b: number): boolean {
    const va = this.values[a];
    const vb = this.values[b];
    return va < vb || (va === vb && this.indices[a] > this.indices[b]);
  }

  private push(value: number, index: number): void {
    let slot = this.size++;
    this.values[slot] = value;
    this.indices[slot] = index;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.below(slot, parent)) break;
      this.swap(slot, parent);
      slot = parent;
    }
  }

  private replaceRoot(value: number, index: number): void {
    this.values[0] = value;
    this.indices[0] = index;
    this.siftDown(0);
  }

  private pop(): number {
    const top = this.indices[0];
    const last = --this.size;
    this.values[0] = this.values[last];
    this.indices[0] = this.indices[last];
    this.siftDown(0);
    return top;
  }

  private siftDown(slot: number): void {
    for (;;) {
      const left = 2 * slot + 1;
      if (left >= this.size) return;
      const right = left + 1;
      const child = right < this.size && this.below(right, left) ? right : left;
      if (!this.below(child, slot)) return;
      this.swap(slot, child);
      slot = child;
    }
  }

  private swap(a: number, b: number): void {
    const value = this.values[a];
    this.values[a] = this.values[b];
    this.values[b] = value;
    const index = this.indices[a];
    this.indices[a] = this.indices[b];
    this.indices[b] = index;
  }
}

/** The index of the largest of `logits[0..limit)`, the lowest on ties; −1 when all are −∞ or NaN. */
export function argmax(logits: Float32Array, limit: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let i = 0; i < limit; i++) {
    const value = logits[i];
    if (value > bestValue) {
      best = i;
      bestValue = value;
    }
  }
  return best;
}

function logitAt(logits: Float32Array, index: number): number {
  const value = logits[index];
  return Number.isNaN(value) ? -Infinity : value;
}
