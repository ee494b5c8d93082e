import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeSyntheticCheckpoint } from './syntheticCheckpoint';

/** The demo model's folder inside Hearth's cache folder. */
export const DEMO_CHECKPOINT_FOLDER = 'demo-checkpoint';
/** Seeded, so every demo runs the same weights. */
const DEMO_SEED = 1;
/**
 * The demo's context: its tiny model's attention is still quadratic, and on a laptop 8K tokens prefill in
 * seconds where 32K would take minutes.
 */
export const DEMO_CONTEXT_LENGTH = 8192;
/** Random weights rarely end a turn: the demo's answer stops here unless told otherwise. */
export const DEMO_MAX_TOKENS = 128;

/**
 * The demo model: a tiny synthetic Qwen3 checkpoint (FP8 weights, random, with the real tokenizer and chat
 * template), written into the cache folder once and reused. config.json is written last, so a folder that
 * has it is complete.
 */
export async function ensureDemoCheckpoint(
  cacheDir: string,
  signal?: AbortSignal,
): Promise<{ dir: string; written: boolean }> {
  const dir = join(cacheDir, DEMO_CHECKPOINT_FOLDER);
  if (existsSync(join(dir, 'config.json'))) return { dir, written: false };
  await writeSyntheticCheckpoint({
    outDir: dir,
    geometry: 'tiny',
    dtype: 'fp8',
    seed: DEMO_SEED,
    arch: 'qwen3',
    tied: true,
    ...(signal !== undefined && { signal }),
  });
  return { dir, written: true };
}
