/**
 * Streamed /v1/chat/completions answers in the shapes OpenAI-compatible servers send, for the remote chat's
 * parser. Hand-written (not captured from running servers) after each shape's published form; the differences
 * that matter are where the reasoning is and where the usage comes.
 */
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'qwen3',
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const usage = {
  prompt_tokens: 30,
  completion_tokens: 9,
  total_tokens: 39,
  prompt_tokens_details: { cached_tokens: 24 },
};

/** Reasoning in `reasoning_content`: vLLM and SGLang with a Qwen3 reasoning parser, llama.cpp server with one. */
export const REASONING_CONTENT_FIELD = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning_content: 'The user greets' }),
  chunk({ reasoning_content: '; reply briefly.' }),
  chunk({ content: 'Hello' }),
  chunk({ content: ' there!' }),
  chunk({}, 'stop'),
  { ...chunk({}), choices: [], usage },
];

/** Reasoning as `<think>` tags in the content, split across chunks: a server with no reasoning parser. */
export const THINK_TAGS_IN_CONTENT = [
  chunk({ role: 'assistant', content: '<thi' }),
  chunk({ content: 'nk>\nThe user greets' }),
  chunk({ content: '; reply briefly.\n</th' }),
  chunk({ content: 'ink>\n\nHello' }),
  chunk({ content: ' there!' }),
  // Usage on the last choice chunk, as some servers send it, instead of a chunk of its own.
  chunk({}, 'stop', { usage }),
];

/** Reasoning in a `reasoning` field, the name some servers use instead of `reasoning_content`. */
export const REASONING_FIELD = [
  chunk({ role: 'assistant', content: '' }),
  chunk({ reasoning: 'The user greets; reply briefly.' }),
  chunk({ content: 'Hello there!' }),
  chunk({}, 'stop'),
  { ...chunk({}), choices: [], usage },
];
