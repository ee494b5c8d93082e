import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { SpecialToken } from '../text/tokenizer';
import type { PromptTokenizer } from './promptTokenizer';
import type { CompletionPrompt } from '../../shared/wire/generationParamsSchemas';

export interface EncodedCompletionPrompt {
  tokens: readonly number[];
  /** End tokens beyond the checkpoint's own: a FIM model marks the end of the middle with these. */
  stopTokenIds: number[];
}

/**
 * Tokens that end a fill-in-the-middle answer, as llama.cpp's FIM endpoint stops on them: a FIM-trained model
 * closes the middle with `<|endoftext|>` or `<|fim_pad|>`, or starts another file or hole.
 */
const FIM_STOP_TOKENS = [
  SpecialToken.endOfText,
  SpecialToken.fimPad,
  SpecialToken.fileSep,
  SpecialToken.repoName,
  SpecialToken.fimPrefix,
  SpecialToken.fimSuffix,
  SpecialToken.fimMiddle,
  SpecialToken.imEnd,
];

type CompletionTokenizer = Pick<PromptTokenizer, 'encodePlainText' | 'tokenId'>;

/**
 * The tokens of a completion prompt. Text is always plain — a source file that spells `<|fim_middle|>` stays
 * text — and control tokens come only from `{ token }` parts or from the FIM layout the engine builds.
 */
export function encodeCompletionPrompt(
  tokenizer: CompletionTokenizer,
  prompt: CompletionPrompt,
): EncodedCompletionPrompt {
  const encoded = encode(tokenizer, prompt);
  if (encoded.tokens.length === 0) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      'Invalid complete params: the prompt encodes to no tokens.',
      'Send a prompt with some text in it.',
    );
  }
  return encoded;
}

function encode(tokenizer: CompletionTokenizer, prompt: CompletionPrompt): EncodedCompletionPrompt {
  switch (prompt.kind) {
    case 'text':
      return { tokens: tokenizer.encodePlainText(prompt.text), stopTokenIds: [] };
    case 'parts': {
      const tokens: number[] = [];
      prompt.parts.forEach((part, index) => {
        if (typeof part === 'string') for (const id of tokenizer.encodePlainText(part)) tokens.push(id);
        else tokens.push(tokenOf(tokenizer, part.token, `prompt[${index}].token`));
      });
      // A client-built FIM layout (with repository snippets) ends the way the engine-built one does.
      const fim = prompt.parts.some((part) => typeof part !== 'string' && part.token === SpecialToken.fimMiddle);
      return { tokens, stopTokenIds: fim ? fimStopTokenIds(tokenizer) : [] };
    }
    case 'fim':
      return encodeFim(tokenizer, prompt.prefix, prompt.suffix);
  }
}

/** Qwen2.5-Coder's prefix-suffix-middle layout: the model writes the middle after `<|fim_middle|>`. */
function encodeFim(tokenizer: CompletionTokenizer, prefix: string, suffix: string): EncodedCompletionPrompt {
  const [fimPrefix, fimSuffix, fimMiddle] = [
    SpecialToken.fimPrefix,
    SpecialToken.fimSuffix,
    SpecialToken.fimMiddle,
  ].map((token) => {
    const id = tokenizer.tokenId(token);
    if (id === undefined) {
      throw new EngineError(
        EngineErrorCode.UnsupportedModel,
        `This model's tokenizer has no ${token} token, so it cannot fill in the middle.`,
        'Send the completion as a prompt instead, or load a FIM-trained model such as Qwen2.5-Coder.',
      );
    }
    return id;
  });
  const tokens = [
    fimPrefix,
    ...tokenizer.encodePlainText(prefix),
    fimSuffix,
    ...tokenizer.encodePlainText(suffix),
    fimMiddle,
  ];
  return { tokens, stopTokenIds: fimStopTokenIds(tokenizer) };
}

function fimStopTokenIds(tokenizer: CompletionTokenizer): number[] {
  return FIM_STOP_TOKENS.map((token) => tokenizer.tokenId(token)).filter((id): id is number => id !== undefined);
}

function tokenOf(tokenizer: CompletionTokenizer, token: string, field: string): number {
  const id = tokenizer.tokenId(token);
  if (id === undefined) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      `Invalid complete params: ${field} "${token}" is not a token of this model's vocabulary.`,
      'Name control tokens exactly as the tokenizer spells them, e.g. "<|fim_prefix|>".',
    );
  }
  return id;
}
