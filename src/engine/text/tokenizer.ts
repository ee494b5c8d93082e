import { join } from 'node:path';
import { Tokenizer as HfTokenizer, type PreTokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from '../checkpoint/checkpointError';
import { readJsonFile } from '../checkpoint/checkpointFiles';
import { ConfigFields } from '../checkpoint/configFields';

export const TOKENIZER_FILE = 'tokenizer.json';
export const TOKENIZER_CONFIG_FILE = 'tokenizer_config.json';
/** Words remembered by countPlainText before it starts over: a few MiB. */
const MAX_COUNTED_WORDS = 200_000;

/** Token strings the engine looks up by name; their ids always come from the checkpoint's own tokenizer. */
export const SpecialToken = {
  imStart: '<|im_start|>',
  imEnd: '<|im_end|>',
  endOfText: '<|endoftext|>',
  thinkStart: '<think>',
  thinkEnd: '</think>',
  fimPrefix: '<|fim_prefix|>',
  fimMiddle: '<|fim_middle|>',
  fimSuffix: '<|fim_suffix|>',
  fimPad: '<|fim_pad|>',
  repoName: '<|repo_name|>',
  fileSep: '<|file_sep|>',
} as const;

export interface EncodeOptions {
  /** Add the tokenizer's own BOS/EOS framing (Qwen adds none). Default false: prompts come fully rendered. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop tokens marked special (`<|im_end|>`, `<|endoftext|>`); `<think>` is not special and stays. Default true. */
  skipSpecialTokens?: boolean;
}

/**
 * A checkpoint's own tokenizer (tokenizer.json + tokenizer_config.json) through Hugging Face's JS
 * implementation. Text that spells an added token (`<|im_start|>`, `<think>`) always encodes to that token,
 * as in Hugging Face, so a rendered chat prompt encodes correctly in one call.
 */
export class Tokenizer {
  /** One past the highest token id the tokenizer knows; the model's embedding may be padded beyond it. */
  readonly vocabSize: number;
  private readonly specialIds: ReadonlySet<number>;
  private readonly stages: PreTokenizerStages;
  /** Token counts of the words countPlainText has seen. */
  private readonly wordCounts = new Map<string, number>();

  private constructor(
    private readonly hf: HfTokenizer,
    /** tokenizer_config.json, for the chat template and the special-token names templates expect. */
    readonly config: Readonly<Record<string, unknown>>,
    /** Where the tokenizer came from, for errors. */
    readonly file: string,
  ) {
    let maxId = -1;
    for (const id of hf.get_vocab(true).values()) maxId = Math.max(maxId, id);
    this.vocabSize = maxId + 1;
    const special = new Set<number>();
    for (const [id, token] of hf.get_added_tokens_decoder()) if (token.special) special.add(id);
    this.specialIds = special;
    this.stages = preTokenizerStages(hf.pre_tokenizer);
  }

  /** Loads `tokenizer.json` and `tokenizer_config.json` from a checkpoint folder. Never touches the network. */
  static load(dir: string): Tokenizer {
    const tokenizerFile = join(dir, TOKENIZER_FILE);
    const tokenizer = readJsonFile(tokenizerFile);
    if (tokenizer === undefined)
      throw new CheckpointError('is missing: the checkpoint has no tokenizer', { file: tokenizerFile });
    const config = readTokenizerConfig(dir);
    return Tokenizer.fromJson(tokenizer.json, config.json, { tokenizerFile, configFile: config.file });
  }

  /** Builds a tokenizer from parsed files; the names only label errors. */
  static fromJson(
    tokenizerJson: unknown,
    configJson: unknown,
    files: { tokenizerFile: string; configFile: string } = {
      tokenizerFile: TOKENIZER_FILE,
      configFile: TOKENIZER_CONFIG_FILE,
    },
  ): Tokenizer {
    ConfigFields.of(configJson, files.configFile);
    if (ConfigFields.of(tokenizerJson, files.tokenizerFile).object('model') === undefined) {
      throw new CheckpointError('is not a Hugging Face tokenizer (no "model" object)', { file: files.tokenizerFile });
    }
    let hf: HfTokenizer;
    try {
      hf = new HfTokenizer(tokenizerJson as object, configJson as object);
    } catch (error) {
      throw new CheckpointError(`cannot be loaded (${(error as Error).message})`, { file: files.tokenizerFile });
    }
    return new Tokenizer(hf, configJson as Record<string, unknown>, files.tokenizerFile);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.hf.encode(text, { add_special_tokens: options.addSpecialTokens ?? false }).ids;
  }

  /**
   * Encodes untrusted text (a repository file, a FIM prefix or suffix) as plain text: tokens spelled out in
   * it, such as `<|im_end|>` in a source file about chat templates, stay ordinary text instead of becoming
   * control tokens that would end a turn. Same ids as encode() for text that spells no added token.
   */
  encodePlainText(text: string): number[] {
    const { normalizer, pre_tokenizer: preTokenizer, model } = this.hf;
    if (text === '' || model === null) return [];
    const normalized = normalizer === null ? text : normalizer(text);
    const words = preTokenizer === null ? [normalized] : preTokenizer(normalized, { section_index: 0 });
    return model(words).map((token) => {
      const id = model.tokens_to_ids.get(token) ?? model.unk_token_id;
      if (id === undefined)
        throw new CheckpointError(`produced "${token}", which is not in its vocabulary`, { file: this.file });
      return id;
    });
  }

  /**
   * encodePlainText(text).length, faster: the later pre-tokenizer stages and the model work word by word, so
   * each word of the first stage is counted once and remembered (a repository's words repeat).
   */
  countPlainText(text: string): number {
    const { normalizer, model } = this.hf;
    if (text === '' || model === null) return 0;
    const normalized = normalizer === null ? text : normalizer(text);
    let total = 0;
    for (const word of this.stages.split(normalized)) {
      let count = this.wordCounts.get(word);
      if (count === undefined) {
        count = model(this.stages.rest(word)).length;
        if (this.wordCounts.size >= MAX_COUNTED_WORDS) this.wordCounts.clear();
        this.wordCounts.set(word, count);
      }
      total += count;
    }
    return total;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return ''; // the library rejects an empty list
    // The library's signature takes a mutable array but does not modify it.
    return this.hf.decode(ids as number[], { skip_special_tokens: options.skipSpecialTokens ?? true });
  }

  /** The id of a token string (`<|im_end|>`, `<think>`, …), or undefined when this tokenizer lacks it. */
  tokenId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  /** Like tokenId, for tokens the caller cannot work without: a tokenizer that lacks one is not a usable checkpoint. */
  requireTokenId(token: string): number {
    const id = this.tokenId(token);
    if (id === undefined) {
      throw new CheckpointError(
        `has no "${token}" token, which this model family needs`,
        { file: this.file },
        {
          hint: 'Use the tokenizer.json that was published with the model.',
        },
      );
    }
    return id;
  }

  /** The token string of an id, or undefined for ids outside the vocabulary (the embedding's padding rows). */
  tokenString(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }
}

/** A checkpoint's tokenizer_config.json, which every chat model has: it holds the chat template. */
export function readTokenizerConfig(dir: string): { json: unknown; file: string } {
  const file = join(dir, TOKENIZER_CONFIG_FILE);
  const config = readJsonFile(file);
  if (config === undefined) throw new CheckpointError('is missing: the checkpoint has no tokenizer config', { file });
  return { json: config.json, file };
}

/** The pre-tokenizer as its first stage and the stages after it, which the library applies word by word. */
interface PreTokenizerStages {
  split(text: string): string[];
  rest(word: string): string[];
}

/** No pre-tokenizer: the text is one word. */
const WHOLE_TEXT: PreTokenizerStages = { split: (text) => [text], rest: (word) => [word] };

function preTokenizerStages(preTokenizer: PreTokenizer | null): PreTokenizerStages {
  const options = { section_index: 0 };
  const sequence = (preTokenizer as Partial<{ tokenizers: (PreTokenizer | null)[] }> | null)?.tokenizers;
  const [first, ...later] = (sequence ?? [preTokenizer]).filter((stage) => stage !== null);
  if (first === undefined) return WHOLE_TEXT;
  return {
    split: (text) => first.pre_tokenize_text(text, options),
    rest: (word) => later.reduce<string[]>((words, stage) => stage.pre_tokenize(words, options), [word]),
  };
}
