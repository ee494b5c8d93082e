import * as v from 'valibot';
import { OpenAiError } from './openAiError';

/**
 * The request bodies of the OpenAI routes, checked at the wire. Objects are loose: clients send fields this
 * server has no use for (`user`, `logprobs: false`), and refusing them would break those clients.
 */
const count = v.pipe(v.number(), v.integer(), v.minValue(1));
const textPart = v.looseObject({ type: v.literal('text'), text: v.string() });
/** A message's content: a string, or OpenAI's list of text parts (images and audio are not served). */
const content = v.union([v.string(), v.array(textPart)], 'content must be a string or a list of text parts');
const stop = v.union([v.string(), v.pipe(v.array(v.string()), v.maxLength(16))]);

const toolCall = v.looseObject({
  id: v.optional(v.string()),
  type: v.optional(v.literal('function')),
  function: v.looseObject({ name: v.pipe(v.string(), v.minLength(1)), arguments: v.string() }),
});

const message = v.variant('role', [
  v.looseObject({ role: v.picklist(['system', 'developer', 'user']), content }),
  v.looseObject({
    role: v.literal('assistant'),
    content: v.nullish(content),
    tool_calls: v.nullish(v.array(toolCall)),
  }),
  v.looseObject({ role: v.literal('tool'), content, tool_call_id: v.optional(v.string()) }),
]);

const tool = v.looseObject({
  type: v.literal('function'),
  function: v.looseObject({
    name: v.pipe(v.string(), v.minLength(1)),
    description: v.optional(v.string()),
    parameters: v.optional(v.record(v.string(), v.unknown())),
  }),
});

const toolChoice = v.union([
  v.picklist(['none', 'auto', 'required']),
  v.looseObject({ type: v.literal('function'), function: v.looseObject({ name: v.string() }) }),
]);

/** What both routes share: the model, sampling, limits and streaming. */
const generationFields = {
  model: v.pipe(v.string(), v.minLength(1)),
  stream: v.nullish(v.boolean()),
  stream_options: v.nullish(v.looseObject({ include_usage: v.nullish(v.boolean()) })),
  max_tokens: v.nullish(count),
  temperature: v.nullish(v.number()),
  top_p: v.nullish(v.number()),
  top_k: v.nullish(v.number()),
  min_p: v.nullish(v.number()),
  presence_penalty: v.nullish(v.number()),
  frequency_penalty: v.nullish(v.literal(0, 'frequency_penalty is not supported: use presence_penalty')),
  repetition_penalty: v.nullish(v.number()),
  seed: v.nullish(v.pipe(v.number(), v.integer())),
  stop: v.nullish(stop),
  n: v.nullish(v.literal(1, 'n must be 1: one choice per request')),
  // Refused rather than ignored: a client asking for these would take the answer for what it asked.
  logprobs: v.nullish(v.union([v.literal(false), v.literal(0)], 'logprobs are not served')),
  response_format: v.nullish(
    v.looseObject({ type: v.literal('text', 'response_format: only "text" is served (no JSON mode or schema)') }),
  ),
};

export const chatCompletionBody = v.looseObject({
  ...generationFields,
  messages: v.pipe(v.array(message), v.minLength(1, 'messages must not be empty')),
  max_completion_tokens: v.nullish(count),
  tools: v.nullish(v.array(tool)),
  tool_choice: v.nullish(toolChoice),
  chat_template_kwargs: v.nullish(v.looseObject({ enable_thinking: v.nullish(v.boolean()) })),
});

export const completionBody = v.looseObject({
  ...generationFields,
  prompt: v.union(
    [v.pipe(v.string(), v.minLength(1)), v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.length(1))],
    'prompt must be a non-empty string (or a list of one)',
  ),
  suffix: v.nullish(v.string()),
  echo: v.nullish(v.literal(false, 'echo is not supported')),
});

export type ChatCompletionBody = v.InferOutput<typeof chatCompletionBody>;
export type CompletionBody = v.InferOutput<typeof completionBody>;
export type ChatCompletionMessage = v.InferOutput<typeof message>;

/** Parses a body, or throws a 400 naming the first field at fault (`messages.1.content`). */
export function parseBody<S extends v.GenericSchema>(schema: S, body: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, body);
  if (result.success) return result.output;
  const [issue] = result.issues;
  const param = v.getDotPath(issue);
  const where = param === null ? 'the body' : param;
  throw OpenAiError.invalid(`Invalid request: ${where}: ${issue.message}`, param);
}
