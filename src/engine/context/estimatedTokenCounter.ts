import { estimateTokens } from '../../shared/tokenEstimate';
import type { TokenCounter } from './tokenCountCache';

/** Token counts without a tokenizer (the shared estimate). */
export const estimatedTokenCounter: TokenCounter = { count: estimateTokens };
