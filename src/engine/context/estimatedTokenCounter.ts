import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import type { TokenCounter } from './tokenCountCache';

/**
 * Bytes per token the estimate assumes: fewer than source code averages with Qwen's tokenizer, so an estimated
 * block errs towards leaving room in a remote server's context rather than overflowing it.
 */
export const ESTIMATED_BYTES_PER_TOKEN = 3;

/** Token counts without a tokenizer: UTF-8 bytes over ESTIMATED_BYTES_PER_TOKEN, rounded up. */
export const estimatedTokenCounter: TokenCounter = {
  count: (text) => Math.ceil(Buffer.byteLength(text, 'utf8') / ESTIMATED_BYTES_PER_TOKEN),
};

/**
 * The served model's counter, or the estimate while no model is loaded: the repository is then packed for a
 * remote model server (hearth.engine.kind "remote"), which the engine cannot tokenize for.
 */
export function servedOrEstimated(served: () => TokenCounter): () => TokenCounter {
  return () => {
    try {
      return served();
    } catch (error) {
      if (error instanceof EngineError && error.code === EngineErrorCode.ModelNotLoaded) return estimatedTokenCounter;
      throw error;
    }
  };
}
