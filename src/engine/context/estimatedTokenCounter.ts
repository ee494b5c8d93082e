import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { estimateTokens } from '../../shared/tokenEstimate';
import type { TokenCounter } from './tokenCountCache';

/** Token counts without a tokenizer (the shared estimate). */
export const estimatedTokenCounter: TokenCounter = { count: estimateTokens };

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
