import {
  ConfigFields,
  boolean,
  nonNegativeInt,
  nonNegativeNumber,
  positiveNumber,
  tokenId,
  tokenIds,
} from './configFields';

/** The sampling defaults a checkpoint recommends (generation_config.json), typed where the engine uses them. */
export interface GenerationConfig {
  doSample?: boolean;
  temperature?: number;
  topP?: number;
  /** 0 disables top-k, as in Hugging Face. */
  topK?: number;
  minP?: number;
  repetitionPenalty?: number;
  bosTokenId?: number;
  eosTokenIds: number[];
  /** The whole file, for fields not typed here. */
  raw: Readonly<Record<string, unknown>>;
}

export function parseGenerationConfig(json: unknown, file: string): GenerationConfig {
  const fields = ConfigFields.of(json, file);
  const topP = fields.optional('top_p', positiveNumber);
  if (topP !== undefined && topP > 1) fields.fail('top_p', `must be at most 1, not ${topP}`);
  const minP = fields.optional('min_p', nonNegativeNumber);
  if (minP !== undefined && minP > 1) fields.fail('min_p', `must be at most 1, not ${minP}`);
  return {
    doSample: fields.optional('do_sample', boolean),
    temperature: fields.optional('temperature', nonNegativeNumber),
    topP,
    topK: fields.optional('top_k', nonNegativeInt),
    minP,
    repetitionPenalty: fields.optional('repetition_penalty', positiveNumber),
    bosTokenId: fields.optional('bos_token_id', tokenId),
    eosTokenIds: fields.withDefault('eos_token_id', tokenIds, []),
    raw: json as Record<string, unknown>,
  };
}
