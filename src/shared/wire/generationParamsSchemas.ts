/** The params of chat, complete, tokenize and countTokens: each type derived from its schema, defaults in it. */
import * as v from 'valibot';
import { CHAT_ROLES, MODEL_ROLES, THINKING_MODES, TOKEN_COUNTERS, type SamplingOverrides } from '../protocol';
import {
  choice,
  describeValue,
  fields,
  flag,
  list,
  nonEmptyStrings,
  nonEmptyText,
  openObject,
  text,
  wholeNumber,
} from './fieldSchemas';

/** Every stop string is searched for after every token. */
const MAX_STOP_STRINGS = 16;
const DEFAULT_COMPLETION_TOKENS = 128;

const stop = v.optional(nonEmptyStrings(MAX_STOP_STRINGS), []);
/** The model to answer with (default chat); ModelNotLoaded when no model serves that role. */
const model = v.optional(choice(MODEL_ROLES), 'chat');
/** Checked by resolveSampling, which knows each setting's range and the model's recommended values. */
const sampling = v.optional(v.custom<SamplingOverrides>(() => true));

/** A function call the model made in an assistant turn, sent back with the conversation. */
const toolCall = fields({
  name: nonEmptyText(),
  /** The arguments as JSON text, as the model wrote them. */
  arguments: text(),
});

/** A function the model may call, as OpenAI's `tools` entries describe it; the chat template lays it out. */
const toolDefinition = fields({
  type: choice(['function']),
  function: fields({
    name: nonEmptyText(),
    description: v.optional(text()),
    /** A JSON schema, written out by the template as it is. */
    parameters: v.optional(openObject('a JSON schema object')),
  }),
});

const chatMessage = v.pipe(
  fields({
    role: choice(CHAT_ROLES),
    /** Plain text: spelled-out control tokens such as `<|im_end|>` stay text. A `tool` turn holds a call's result. */
    content: text(),
    /** Assistant turns only: the calls the model made after its content. */
    toolCalls: v.optional(list(toolCall)),
  }),
  v.forward(
    v.partialCheck(
      [['role'], ['toolCalls']],
      ({ role, toolCalls }) => toolCalls === undefined || role === 'assistant',
      'belongs to assistant turns only',
    ),
    ['toolCalls'],
  ),
);

export const chatParams = v.pipe(
  fields({
    /** Chosen by the client, unique among its requests in flight: `chat/delta` notifications carry it. */
    requestId: nonEmptyText(256),
    messages: list(chatMessage, { nonEmpty: true }),
    /** Default auto: the model's own default, or a `/think` or `/no_think` in the last user turn. */
    thinking: v.optional(choice(THINKING_MODES), 'auto'),
    sampling,
    /** Default: up to the end of the context. */
    maxTokens: v.optional(wholeNumber(1)),
    /**
     * The last message is an assistant answer cut short (finishReason "length"): the model goes on writing it in
     * place, with no end of turn after it, and everything it writes is answer text.
     */
    continueAnswer: v.optional(flag()),
    stop,
    /** Functions the model may call: the chat template lists them in the system turn. */
    tools: v.optional(list(toolDefinition)),
    model,
  }),
  v.check(
    ({ continueAnswer, messages }) => !continueAnswer || messages[messages.length - 1].role === 'assistant',
    'continueAnswer needs the answer to continue as the last message, with the role "assistant"',
  ),
);

/** A prompt piece for `complete`: a string is plain text; `{ token }` is one vocabulary token, by its text. */
const promptPart = v.union(
  [text(), fields({ token: nonEmptyText() })],
  (issue) => `must be a string or a { token } object, not ${describeValue(issue.input)}`,
);

/**
 * Raw completion, served before chat requests. Give exactly one of `prompt` and `fim`:
 * - `prompt`: text (plain: spelled-out control tokens stay text) or parts that place control tokens;
 * - `fim`: the engine builds `<|fim_prefix|>prefix<|fim_suffix|>suffix<|fim_middle|>` (a FIM-trained model).
 */
export const completeParams = v.pipe(
  fields({
    prompt: v.optional(
      v.union(
        [nonEmptyText(), list(promptPart, { nonEmpty: true })],
        (issue) => `must be a string or a list of strings and { token } objects, not ${describeValue(issue.input)}`,
      ),
    ),
    fim: v.optional(fields({ prefix: text(), suffix: text() })),
    /** Default 128. */
    maxTokens: v.optional(wholeNumber(1), DEFAULT_COMPLETION_TOKENS),
    stop,
    /** Default greedy (temperature 0). */
    sampling,
    model,
    /**
     * Only fill the prefix cache with the prompt, for the requests that will start the same way: runs after
     * every chat and completion and stops after one token. A prompt of 512 tokens or more is also stored as a
     * KV snapshot on disk, for the next engine process.
     */
    warmUp: v.optional(flag(), false),
  }),
  v.check(
    ({ prompt, fim }) => (prompt === undefined) !== (fim === undefined),
    'give exactly one of "prompt" and "fim"',
  ),
  v.transform(({ prompt, fim, ...rest }) => ({ ...rest, prompt: completionPrompt(prompt, fim) })),
);

export type CompletionPrompt =
  | { kind: 'text'; text: string }
  | { kind: 'parts'; parts: PromptPart[] }
  | { kind: 'fim'; prefix: string; suffix: string };

function completionPrompt(
  prompt: string | PromptPart[] | undefined,
  fim: { prefix: string; suffix: string } | undefined,
): CompletionPrompt {
  if (fim !== undefined) return { kind: 'fim', ...fim };
  return typeof prompt === 'string' ? { kind: 'text', text: prompt } : { kind: 'parts', parts: prompt ?? [] };
}

export const tokenizeParams = fields({
  text: text(),
  /** Spelled-out control tokens become those tokens (default false: all plain text). */
  special: v.optional(flag(), false),
});

export const countTokensParams = fields({
  /** Plain text each. */
  texts: list(text()),
  /** Default: the served model's (ModelNotLoaded without one). */
  tokenizer: v.optional(choice(TOKEN_COUNTERS)),
});

export type ToolCall = v.InferOutput<typeof toolCall>;
export type ToolDefinition = v.InferOutput<typeof toolDefinition>;
export type ChatMessage = v.InferOutput<typeof chatMessage>;
export type ChatParams = v.InferInput<typeof chatParams>;
/** A chat as the generation service takes it: checked, with the defaults filled in. */
export type ChatRequest = v.InferOutput<typeof chatParams>;
export type PromptPart = v.InferOutput<typeof promptPart>;
export type CompleteParams = v.InferInput<typeof completeParams>;
export type CompletionRequest = v.InferOutput<typeof completeParams>;
export type TokenizeParams = v.InferInput<typeof tokenizeParams>;
export type CountTokensParams = v.InferInput<typeof countTokensParams>;
