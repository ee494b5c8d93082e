import { readFileSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, sep, win32 } from 'node:path';
import { CheckpointError } from './checkpointError';
import { ConfigFields } from './configFields';

export const SINGLE_WEIGHTS_FILE = 'model.safetensors';
export const WEIGHTS_INDEX_FILE = 'model.safetensors.index.json';

/** The .safetensors files of a checkpoint folder, and for a sharded one which tensor lives where. */
export interface WeightFiles {
  /** The file that lists the weights: model.safetensors itself, or the index. Missing tensors are reported against it. */
  source: string;
  /** Real paths of the .safetensors files, each once, in index order. */
  files: string[];
  /** tensor → real path of its shard; only for sharded checkpoints. */
  weightMap?: Map<string, string>;
}

/** A JSON file's text and parsed value; undefined when the file does not exist. */
export function readJsonFile(path: string): { text: string; json: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new CheckpointError(`cannot read (${code ?? String(error)})`, { file: path });
  }
  try {
    return { text, json: JSON.parse(text) };
  } catch (error) {
    throw new CheckpointError(`is not valid JSON (${(error as Error).message})`, { file: path });
  }
}

/**
 * Finds the weights of a checkpoint folder: model.safetensors when present (Hugging Face looks there first),
 * else model.safetensors.index.json and its shards. Shard names from the index are untrusted: they must be
 * relative, without `..`, and resolve (symlinks included) inside the folder.
 */
export function locateWeightFiles(dir: string): WeightFiles {
  const realDir = realpathSync(dir);
  const single = join(dir, SINGLE_WEIGHTS_FILE);
  const singleReal = realPathIfExists(single);
  if (singleReal !== undefined) {
    assertInsideCheckpoint(singleReal, realDir, { file: single });
    return { source: single, files: [singleReal] };
  }
  const indexFile = join(dir, WEIGHTS_INDEX_FILE);
  const index = readJsonFile(indexFile);
  if (index === undefined) {
    throw new CheckpointError(`holds neither ${SINGLE_WEIGHTS_FILE} nor ${WEIGHTS_INDEX_FILE}`, { file: dir });
  }
  const entries = ConfigFields.of(index.json, indexFile).object('weight_map');
  if (entries === undefined) throw new CheckpointError('has no weight_map', { file: indexFile, field: 'weight_map' });

  const shardPaths = new Map<string, string>();
  const weightMap = new Map<string, string>();
  for (const tensor of entries.keys()) {
    const shard = entries.raw(tensor);
    if (typeof shard !== 'string') {
      throw new CheckpointError(`maps to ${JSON.stringify(shard)}, not a file name`, { file: indexFile, tensor });
    }
    let real = shardPaths.get(shard);
    if (real === undefined) {
      real = resolveShard(dir, realDir, shard, { file: indexFile, tensor });
      shardPaths.set(shard, real);
    }
    weightMap.set(tensor, real);
  }
  return { source: indexFile, files: [...shardPaths.values()], weightMap };
}

function resolveShard(dir: string, realDir: string, shard: string, where: { file: string; tensor: string }): string {
  const segments = shard.split(/[\\/]/);
  if (shard === '' || isAbsolute(shard) || win32.isAbsolute(shard) || segments.includes('..')) {
    throw new CheckpointError(`shard "${shard}" is not a relative path inside the checkpoint folder`, where);
  }
  const path = join(dir, shard);
  const real = realPathIfExists(path);
  if (real === undefined) throw new CheckpointError(`shard ${shard} is missing (download incomplete?)`, where);
  assertInsideCheckpoint(real, realDir, where);
  return real;
}

/**
 * Symlinks may not lead out of the folder, with one exception: the Hugging Face hub cache, where
 * `snapshots/<revision>/<file>` links to `../../blobs/<hash>` of the same model.
 */
function assertInsideCheckpoint(real: string, realDir: string, where: { file: string; tensor?: string }): void {
  const hubBlobs = basename(dirname(realDir)) === 'snapshots' ? join(realDir, '..', '..', 'blobs') : undefined;
  if (isInside(real, realDir) || (hubBlobs !== undefined && isInside(real, hubBlobs))) return;
  throw new CheckpointError(`resolves to ${real}, outside the checkpoint folder ${realDir}`, where);
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

function realPathIfExists(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CheckpointError(`cannot resolve (${(error as NodeJS.ErrnoException).code ?? String(error)})`, {
      file: path,
    });
  }
}
