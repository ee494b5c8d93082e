import { join } from 'node:path';
import { writeFileAtomic } from '../base/atomicFile';
import { SINGLE_WEIGHTS_FILE, WEIGHTS_INDEX_FILE } from './checkpointFiles';
import { tensorByteLength, type TensorSpec } from './safetensorsDtype';
import { SafetensorsWriter } from './safetensorsWriter';

/** Hugging Face's save_pretrained default shard size ("4GB", in decimal units as it counts them). */
export const DEFAULT_SHARD_BYTES = 4_000_000_000;

/**
 * Splits tensors, in order, into shards of at most `maxShardBytes` of tensor data, as save_pretrained does: a
 * tensor larger than the limit gets a shard of its own.
 */
export function planShards(specs: readonly TensorSpec[], maxShardBytes: number): TensorSpec[][] {
  const shards: TensorSpec[][] = [];
  let current: TensorSpec[] = [];
  let currentBytes = 0;
  for (const spec of specs) {
    const bytes = tensorByteLength(spec);
    if (current.length > 0 && currentBytes + bytes > maxShardBytes) {
      shards.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(spec);
    currentBytes += bytes;
  }
  if (current.length > 0 || shards.length === 0) shards.push(current);
  return shards;
}

/** `model-00001-of-00003.safetensors`, Hugging Face's shard naming. */
export function shardFileName(index: number, count: number): string {
  const pad = (n: number): string => String(n).padStart(5, '0');
  return `model-${pad(index + 1)}-of-${pad(count)}.safetensors`;
}

/**
 * Writes a checkpoint's weights in Hugging Face's layout: model.safetensors, or shards plus
 * model.safetensors.index.json when they exceed one shard. Tensor data is streamed (see SafetensorsWriter);
 * the index is written last, so it never names a shard that is not complete.
 */
export class WeightShardsWriter {
  private constructor(
    private readonly dir: string,
    private readonly shards: readonly { name: string; writer: SafetensorsWriter; specs: readonly TensorSpec[] }[],
    private readonly writerOf: ReadonlyMap<string, SafetensorsWriter>,
  ) {}

  static create(dir: string, specs: readonly TensorSpec[], maxShardBytes = DEFAULT_SHARD_BYTES): WeightShardsWriter {
    const plan = planShards(specs, maxShardBytes);
    const shards: { name: string; writer: SafetensorsWriter; specs: readonly TensorSpec[] }[] = [];
    try {
      plan.forEach((shardSpecs, index) => {
        const name = plan.length === 1 ? SINGLE_WEIGHTS_FILE : shardFileName(index, plan.length);
        shards.push({ name, writer: SafetensorsWriter.create(join(dir, name), shardSpecs), specs: shardSpecs });
      });
    } catch (error) {
      for (const shard of shards) shard.writer.abort();
      throw error;
    }
    const writerOf = new Map(shards.flatMap(({ writer, specs }) => specs.map((spec) => [spec.name, writer] as const)));
    return new WeightShardsWriter(dir, shards, writerOf);
  }

  /** Appends the next bytes of tensor `name`; tensors are due in the order of the specs given to create(). */
  write(name: string, chunk: Uint8Array): void {
    const writer = this.writerOf.get(name);
    if (writer === undefined) throw new Error(`no tensor named ${name} in this checkpoint`);
    writer.write(name, chunk);
  }

  /** Completes every file and returns the names written, index last. */
  finish(): string[] {
    for (const { writer } of this.shards) writer.finish();
    const names = this.shards.map(({ name }) => name);
    if (this.shards.length === 1) return names;

    const weightMap: Record<string, string> = {};
    let totalSize = 0;
    const entries = this.shards.flatMap(({ name, specs }) => specs.map((spec) => ({ spec, name })));
    for (const { spec, name } of entries.sort((a, b) => (a.spec.name < b.spec.name ? -1 : 1))) {
      weightMap[spec.name] = name;
      totalSize += tensorByteLength(spec);
    }
    const index = { metadata: { total_size: totalSize }, weight_map: weightMap };
    writeFileAtomic(join(this.dir, WEIGHTS_INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
    return [...names, WEIGHTS_INDEX_FILE];
  }

  abort(): void {
    for (const { writer } of this.shards) writer.abort();
  }
}
