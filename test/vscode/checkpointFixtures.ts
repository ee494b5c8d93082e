/** Synthetic checkpoints for the real-VS Code UI tests: random weights, the real Qwen3 tokenizer. */
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { THINKING_2507_TEMPLATE } from '../engine/text/qwen3TemplateFixtures';
import { runCli } from '../helpers/builtCli';

/** A tiny hybrid Qwen3 FP8 checkpoint (2 layers), written by the built CLI in about 2 s. */
export function makeTinyCheckpoint(dir: string): string {
  const made = runCli(['make-checkpoint', '--out', dir, '--geometry', 'tiny', '--dtype', 'fp8', '--seed', '1']);
  assert.equal(made.status, 0, `make-checkpoint failed:\n${made.stdout}\n${made.stderr}`);
  return dir;
}

/**
 * A copy of a checkpoint with Qwen3-Thinking-2507's chat template: it always thinks, so its random output
 * streams as reasoning (it never samples the closing `</think>`).
 */
export function thinkingVariant(checkpoint: string, dir: string): string {
  cpSync(checkpoint, dir, { recursive: true });
  const configPath = join(dir, 'tokenizer_config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>;
  writeFileSync(configPath, JSON.stringify({ ...config, chat_template: THINKING_2507_TEMPLATE }));
  return dir;
}
