import type { ContextPackResult, ContextPrefillProgressParams, ContextPrefillResult } from '../../shared/protocol';
import type { EngineRequest } from '../../shared/wire/parseEngineParams';
import { encodeSystemPrefix } from './chatPrompt';
import type { ServedModel } from './servedModel';

/** Packs a repository block (context/pack as the engine serves it). */
export type BlockPacker = (request: EngineRequest<'context/pack'>, signal: AbortSignal) => ContextPackResult;

/**
 * Prefills the repository prefix on the chat model at the lowest priority and offers it to the snapshot
 * writer: a chat over the same repository then starts with it cached, and so does the next engine process.
 * Cancelled (a newer prefix, the model replaced), it stops at the next run and keeps what it computed.
 */
export async function runRepositoryPrefill(
  model: ServedModel,
  request: EngineRequest<'context/prefill'>,
  pack: BlockPacker,
  onProgress: (progress: ContextPrefillProgressParams) => void,
  signal: AbortSignal,
): Promise<ContextPrefillResult> {
  const { budget, format, questionShare } = request;
  const block = pack({ budget, format, questionShare, focus: {} }, signal);
  const tokens = repositoryPrefix(model, block);
  onProgress({ done: 0, total: tokens.length });
  const outcome = await model.prefill(
    tokens,
    'repository',
    (held) => onProgress({ done: held, total: tokens.length }),
    signal,
  );
  if (outcome === undefined) return { tokens: tokens.length, cachedTokens: 0, diskTokens: 0, cancelled: true };
  model.snapshotWriter?.offer(tokens, model.decoder);
  return {
    tokens: tokens.length,
    cachedTokens: outcome.cachedTokens,
    diskTokens: outcome.diskTokens,
    cancelled: false,
  };
}

/**
 * The tokens every chat prompt over this block starts with: the template's scaffold, then the block's overview.
 * The block's pieces split exactly between tokens, so its first `overviewTokens` ids are the overview's.
 */
export function repositoryPrefix(model: ServedModel, block: ContextPackResult): number[] {
  const options = { addGenerationPrompt: false, enableThinking: false };
  const whole = encodeSystemPrefix(model.chatTemplate(), model.prompts, block.text, options);
  const scaffold = whole.length - model.prompts.encodePlainText(block.text).length;
  return whole.slice(0, scaffold + (block.stats.overviewTokens ?? 0));
}
