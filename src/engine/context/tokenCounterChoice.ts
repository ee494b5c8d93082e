import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type TokenCounterName } from '../../shared/protocol';
import { estimatedTokenCounter } from './estimatedTokenCounter';
import type { TokenCounter } from './tokenCountCache';

/**
 * The token counter a request names: the served model's, the bundled Qwen3 tokenizer (for a remote Qwen3 server,
 * with no model loaded here), or the estimate. The bundled tokenizer is read on first use, then kept.
 */
export class TokenCounterChoice {
  private bundled: TokenCounter | undefined;

  constructor(
    private readonly served: () => TokenCounter,
    /** Reads the bundled Qwen3 tokenizer (the text layer's; context does not import it). */
    private readonly loadBundled: () => TokenCounter,
  ) {}

  /** "served" is the estimate while no model is loaded: the repository is then packed for a remote server. */
  counter(name: TokenCounterName = 'served'): TokenCounter {
    if (name === 'estimate') return estimatedTokenCounter;
    if (name === 'qwen3') return (this.bundled ??= this.loadBundled());
    try {
      return this.served();
    } catch (error) {
      if (error instanceof EngineError && error.code === EngineErrorCode.ModelNotLoaded) return estimatedTokenCounter;
      throw error;
    }
  }
}
