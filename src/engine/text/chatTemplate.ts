import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from '@huggingface/jinja';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode, type ModelKind, type ToolCall, type ToolDefinition } from '../../shared/protocol';
import { CheckpointError } from '../checkpoint/checkpointError';
import { ConfigFields } from '../checkpoint/configFields';
import { detectModelKind } from './modelKind';
import { readTokenizerConfig } from './tokenizer';

/** Newer transformers save the template beside tokenizer_config.json instead of inside it. */
export const CHAT_TEMPLATE_FILE = 'chat_template.jinja';

export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';
const CHAT_ROLES: readonly string[] = ['system', 'user', 'assistant', 'tool'] satisfies ChatRole[];

/**
 * One turn of a conversation. Assistant turns carry their answer only (reasoning is never sent back), and the
 * function calls they made; a tool turn carries a call's result.
 */
export interface ChatMessage {
  role: ChatRole;
  content: string;
  toolCalls?: readonly ToolCall[];
}

export interface RenderOptions {
  /** Append the opening of the assistant's turn, for generation. */
  addGenerationPrompt: boolean;
  /** The template's `enable_thinking`; only hybrid templates read it. */
  enableThinking: boolean;
  /** Functions the model may call, as the template's `tools` (OpenAI's shape); none when empty or absent. */
  tools?: readonly ToolDefinition[];
}

/** Special-token names Hugging Face passes to every template (some templates start with `{{ bos_token }}`). */
const SPECIAL_TOKEN_KEYS = ['bos_token', 'eos_token', 'pad_token', 'unk_token'] as const;

/** A checkpoint's Jinja chat template, rendered as transformers' `apply_chat_template` does. */
export class ChatTemplate {
  readonly kind: ModelKind;

  private constructor(
    private readonly template: Template,
    /** The Jinja source. */
    readonly source: string,
    private readonly specialTokens: Readonly<Record<string, string>>,
    file: string,
  ) {
    const probe: ChatMessage[] = [{ role: 'user', content: 'Hi' }];
    let generationPrompt: string;
    try {
      const withPrompt = this.renderUnchecked(probe, { addGenerationPrompt: true, enableThinking: true });
      generationPrompt = withPrompt.slice(
        this.renderUnchecked(probe, { addGenerationPrompt: false, enableThinking: true }).length,
      );
    } catch (error) {
      throw new CheckpointError(`chat template fails on a one-turn conversation (${(error as Error).message})`, {
        file,
        field: 'chat_template',
      });
    }
    this.kind = detectModelKind(source, generationPrompt);
  }

  /** The template of a checkpoint folder: tokenizer_config.json's `chat_template`, else chat_template.jinja. */
  static load(dir: string): ChatTemplate {
    const config = readTokenizerConfig(dir);
    return ChatTemplate.fromTokenizerConfig(config.json, config.file, dir);
  }

  /**
   * @param config parsed tokenizer_config.json
   * @param file its path, for errors
   * @param dir the checkpoint folder, to look for chat_template.jinja when the config holds no template
   */
  static fromTokenizerConfig(config: unknown, file: string, dir?: string): ChatTemplate {
    const fields = ConfigFields.of(config, file);
    const { source, origin } = templateSource(fields.raw('chat_template'), file, dir);
    let template: Template;
    try {
      template = new Template(source);
    } catch (error) {
      throw new CheckpointError(`chat template does not parse (${(error as Error).message})`, {
        file: origin,
        field: 'chat_template',
      });
    }
    const specialTokens: Record<string, string> = {};
    for (const key of SPECIAL_TOKEN_KEYS) {
      const token = tokenContent(fields.raw(key));
      if (token !== undefined) specialTokens[key] = token;
    }
    return new ChatTemplate(template, source, specialTokens, origin);
  }

  /**
   * The prompt text for a conversation. Assistant turns lose any `<think>…</think>` they still carry: the
   * model was trained without earlier turns' reasoning, and the Qwen3 template would otherwise keep it for
   * turns after the last user message.
   */
  render(messages: readonly ChatMessage[], options: RenderOptions): string {
    validateMessages(messages);
    try {
      return this.renderUnchecked(messages, options);
    } catch (error) {
      // The template rendered a probe conversation at load, so a failure now is about this conversation
      // (templates call raise_exception on, for example, roles that do not alternate).
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `The model's chat template rejected the conversation: ${(error as Error).message}`,
        'Send user and assistant turns in order, with an optional system message first.',
      );
    }
  }

  private renderUnchecked(messages: readonly ChatMessage[], options: RenderOptions): string {
    return this.template.render({
      ...this.specialTokens,
      messages: messages.map(({ role, content, toolCalls }) => ({
        role,
        content: role === 'assistant' ? withoutReasoning(content) : content,
        // transformers' shape; the Qwen3 template writes string arguments verbatim.
        ...(toolCalls !== undefined &&
          toolCalls.length > 0 && {
            tool_calls: toolCalls.map(({ name, arguments: args }) => ({
              type: 'function',
              function: { name, arguments: args },
            })),
          }),
      })),
      ...(options.tools !== undefined && options.tools.length > 0 && { tools: options.tools }),
      add_generation_prompt: options.addGenerationPrompt,
      enable_thinking: options.enableThinking,
    });
  }
}

/** The answer part of an assistant message, as the Qwen3 template itself splits it. */
export function withoutReasoning(content: string): string {
  const end = content.lastIndexOf('</think>');
  return end < 0 ? content : content.slice(end + '</think>'.length).replace(/^\n+/, '');
}

function templateSource(value: unknown, file: string, dir: string | undefined): { source: string; origin: string } {
  if (typeof value === 'string') return { source: value, origin: file };
  // A list of named templates (tokenizers with a "tool_use" variant): the default one is the chat template.
  if (Array.isArray(value)) {
    const named = (value as unknown[]).find(
      (entry): entry is { name: string; template: string } =>
        typeof entry === 'object' &&
        entry !== null &&
        (entry as { name?: unknown }).name === 'default' &&
        typeof (entry as { template?: unknown }).template === 'string',
    );
    if (named !== undefined) return { source: named.template, origin: file };
  }
  if (value === undefined && dir !== undefined) {
    const jinjaFile = join(dir, CHAT_TEMPLATE_FILE);
    try {
      return { source: readFileSync(jinjaFile, 'utf8'), origin: jinjaFile };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new CheckpointError(`cannot be read (${String(error)})`, { file: jinjaFile });
    }
  }
  throw new CheckpointError(
    'has no usable chat_template: this checkpoint is not a chat model',
    { file, field: 'chat_template' },
    {
      hint: 'Choose an instruction-tuned (chat) checkpoint; a base model has no chat template.',
    },
  );
}

/** Special tokens appear in tokenizer_config.json as a string or as an AddedToken object. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function validateMessages(messages: readonly ChatMessage[]): void {
  const hint = 'Each message needs a role ("system", "user", "assistant" or "tool") and a string content.';
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new EngineError(EngineErrorCode.InvalidParams, 'The conversation has no messages.', hint);
  }
  messages.forEach((message: unknown, index) => {
    const { role, content } = (typeof message === 'object' && message !== null ? message : {}) as Record<
      string,
      unknown
    >;
    if (typeof role !== 'string' || !CHAT_ROLES.includes(role)) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `messages[${index}].role is ${JSON.stringify(role)}, not one of ${CHAT_ROLES.join(', ')}.`,
        hint,
      );
    }
    if (typeof content !== 'string') {
      throw new EngineError(EngineErrorCode.InvalidParams, `messages[${index}].content is not a string.`, hint);
    }
  });
}
