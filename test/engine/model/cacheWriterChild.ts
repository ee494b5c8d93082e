/**
 * Child process for the killed-conversion test: starts writing a cache entry, reports the key once part of
 * the data is on disk, then waits to be killed (SIGKILL: no cleanup code can run).
 * Usage: node --import tsx cacheWriterChild.ts <cacheDir>
 */
import { ConvertedWeightsCache } from '../../../src/engine/model/convertedWeightsCache';
import type { TensorToWrite } from '../../../src/engine/model/convertedWeightsWriter';

const cache = new ConvertedWeightsCache(process.argv[2]);
const key = cache.keyFor('killed-checkpoint', 'int8');

async function* tensorsThatStall(): AsyncGenerator<TensorToWrite> {
  yield { name: 'first', dtype: 'uint8', shape: [1024], data: new Uint8Array(1024).fill(7) };
  yield { name: 'second', dtype: 'float32', shape: [256], data: new Float32Array(256).fill(0.5) };
  process.stdout.write(`${key}\n`);
  // Keeps the process alive until it is killed.
  await new Promise(() => setInterval(() => undefined, 60_000));
}

void cache.write(key, tensorsThatStall());
