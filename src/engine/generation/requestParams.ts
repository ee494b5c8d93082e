import { choiceUnion } from '../../shared/choiceUnion';
import {
  KV_CACHE_CHOICES,
  KV_CACHE_DTYPES,
  MODEL_ROLES,
  THINKING_MODES,
  WEIGHT_QUANTIZATIONS,
  type ChatMessage,
  type ChatParams,
  type CountTokensParams,
  type LoadPlan,
  type ModelLoadParams,
  type ModelRole,
  type PromptPart,
  type ThinkingMode,
  type TokenizeParams,
  type ToolCall,
  type ToolDefinition,
} from '../../shared/protocol';
import { ParamsReader } from '../base/paramsReader';

/** Requests' params as the generation service uses them: checked, with defaults where the protocol has them. */
export interface ChatRequest extends Omit<ChatParams, 'thinking' | 'stop' | 'model'> {
  thinking: ThinkingMode;
  stop: string[];
  model: ModelRole;
}

export type CompletionPrompt =
  | { kind: 'text'; text: string }
  | { kind: 'parts'; parts: PromptPart[] }
  | { kind: 'fim'; prefix: string; suffix: string };

export interface CompletionRequest {
  prompt: CompletionPrompt;
  maxTokens: number;
  stop: string[];
  /** Checked by resolveSampling, which knows the ranges. */
  sampling: unknown;
  model: ModelRole;
  warmUp: boolean;
}

const ROLES = ['system', 'user', 'assistant', 'tool'] as const;
/** Every stop string is searched for after every token. */
const MAX_STOP_STRINGS = 16;
const DEFAULT_COMPLETION_TOKENS = 128;

export function parseLoadParams(params: unknown): ModelLoadParams {
  const reader = ParamsReader.of(
    params,
    'model/load',
    ['path', 'role', 'contextLength', 'quantization', 'kvCache', 'threads', 'cacheDir', 'snapshotDiskBytes', 'plan'],
    `Send { path, role?: ${choiceUnion(MODEL_ROLES)}, contextLength?, quantization?: ${choiceUnion(WEIGHT_QUANTIZATIONS)}, kvCache?: ${choiceUnion(KV_CACHE_CHOICES)}, threads?, cacheDir?, snapshotDiskBytes?, plan? }.`,
  );
  const request = withoutUndefined({
    path: reader.string('path', { nonEmpty: true }),
    role: reader.optionalChoice('role', MODEL_ROLES),
    contextLength: reader.optionalInteger('contextLength', 1),
    quantization: reader.optionalChoice('quantization', WEIGHT_QUANTIZATIONS),
    kvCache: reader.optionalChoice('kvCache', KV_CACHE_CHOICES),
    threads: reader.optionalInteger('threads', 1, 1024),
    cacheDir: reader.optionalString('cacheDir', { nonEmpty: true }),
    snapshotDiskBytes: reader.optionalInteger('snapshotDiskBytes', 0),
    plan: reader.has('plan')
      ? parseLoadPlan(reader.object('plan', ['contextLength', 'kvCache', 'kvBudgetBytes', 'memory']))
      : undefined,
  });
  const { plan } = request;
  if (plan !== undefined && request.contextLength !== undefined && plan.contextLength !== request.contextLength)
    reader.fail(
      `plan.contextLength ${plan.contextLength} is not the contextLength asked for (${request.contextLength})`,
    );
  if (
    plan !== undefined &&
    request.kvCache !== undefined &&
    request.kvCache !== 'auto' &&
    plan.kvCache !== request.kvCache
  )
    reader.fail(`plan.kvCache "${plan.kvCache}" is not the kvCache asked for ("${request.kvCache}")`);
  return request;
}

/** A load plan as model/fit returned it: every field present and whole. */
function parseLoadPlan(reader: ParamsReader): LoadPlan {
  const memory = reader.object('memory', ['freeBytes', 'totalBytes']);
  return {
    contextLength: requiredInteger(reader, 'contextLength', 1),
    kvCache: reader.optionalChoice('kvCache', KV_CACHE_DTYPES) ?? reader.fail(`${reader.at('kvCache')} is missing`),
    kvBudgetBytes: requiredInteger(reader, 'kvBudgetBytes', 0),
    memory: {
      freeBytes: requiredInteger(memory, 'freeBytes', 0),
      totalBytes: requiredInteger(memory, 'totalBytes', 0),
    },
  };
}

function requiredInteger(reader: ParamsReader, name: string, min: number): number {
  return reader.optionalInteger(name, min) ?? reader.fail(`${reader.at(name)} is missing`);
}

export function parseChatParams(params: unknown): ChatRequest {
  const reader = ParamsReader.of(
    params,
    'chat',
    ['requestId', 'messages', 'thinking', 'sampling', 'maxTokens', 'continueAnswer', 'stop', 'tools', 'model'],
    'Send { requestId, messages: [{ role: "system" | "user" | "assistant" | "tool", content, toolCalls? }], thinking?, sampling?, maxTokens?, continueAnswer?, stop?, tools?, model? }.',
  );
  const messages = reader.array(
    'messages',
    (value, name): ChatMessage => {
      const message: ParamsReader = reader.object(name, ['role', 'content', 'toolCalls'], value);
      const role = message.optionalChoice('role', ROLES);
      if (role === undefined) message.fail(`${message.at('role')} is missing`);
      const content = message.string('content');
      if (!message.has('toolCalls')) return { role, content };
      if (role !== 'assistant') message.fail(`${message.at('toolCalls')} belongs to assistant turns only`);
      return { role, content, toolCalls: message.array('toolCalls', (call, at) => parseToolCall(message, call, at)) };
    },
    { nonEmpty: true },
  );
  const continueAnswer = reader.optionalBoolean('continueAnswer');
  if (continueAnswer && messages[messages.length - 1].role !== 'assistant')
    reader.fail('continueAnswer needs the answer to continue as the last message, with the role "assistant"');
  return withoutUndefined({
    requestId: reader.string('requestId', { nonEmpty: true, maxLength: 256 }),
    messages,
    thinking: reader.optionalChoice('thinking', THINKING_MODES) ?? 'auto',
    sampling: reader.raw('sampling') as ChatRequest['sampling'],
    maxTokens: reader.optionalInteger('maxTokens', 1),
    continueAnswer,
    stop: reader.optionalStringArray('stop', MAX_STOP_STRINGS) ?? [],
    tools: reader.has('tools') ? reader.array('tools', (tool, at) => parseTool(reader, tool, at)) : undefined,
    model: reader.optionalChoice('model', MODEL_ROLES) ?? 'chat',
  });
}

function parseToolCall(message: ParamsReader, value: unknown, at: string): ToolCall {
  const call = message.object(at, ['name', 'arguments'], value);
  return { name: call.string('name', { nonEmpty: true }), arguments: call.string('arguments') };
}

/** A function definition; its parameters are a JSON schema the template writes out as it is. */
function parseTool(reader: ParamsReader, value: unknown, at: string): ToolDefinition {
  const tool = reader.object(at, ['type', 'function'], value);
  if (tool.optionalChoice('type', ['function'] as const) === undefined) tool.fail(`${tool.at('type')} is missing`);
  const fn = tool.object('function', ['name', 'description', 'parameters']);
  const parameters = fn.raw('parameters');
  if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)))
    fn.fail(`${fn.at('parameters')} must be a JSON schema object`);
  return {
    type: 'function',
    function: withoutUndefined({
      name: fn.string('name', { nonEmpty: true }),
      description: fn.optionalString('description'),
      parameters: parameters as Record<string, unknown> | undefined,
    }),
  };
}

export function parseCompleteParams(params: unknown): CompletionRequest {
  const reader = ParamsReader.of(
    params,
    'complete',
    ['prompt', 'fim', 'maxTokens', 'stop', 'sampling', 'model', 'warmUp'],
    'Send { prompt: string | (string | { token })[] } or { fim: { prefix, suffix } }, with maxTokens?, stop?, sampling?, model?, warmUp?.',
  );
  if (reader.has('prompt') === reader.has('fim')) reader.fail('give exactly one of "prompt" and "fim"');
  return {
    prompt: reader.has('fim') ? parseFim(reader) : parsePrompt(reader),
    maxTokens: reader.optionalInteger('maxTokens', 1) ?? DEFAULT_COMPLETION_TOKENS,
    stop: reader.optionalStringArray('stop', MAX_STOP_STRINGS) ?? [],
    sampling: reader.raw('sampling'),
    model: reader.optionalChoice('model', MODEL_ROLES) ?? 'chat',
    warmUp: reader.optionalBoolean('warmUp') ?? false,
  };
}

/** `model/info` (role optional, default chat) and `model/unload` (role required). */
export function parseRoleParams(params: unknown, method: 'model/info' | 'model/unload'): ModelRole {
  const required = method === 'model/unload';
  if ((params === undefined || params === null) && !required) return 'chat';
  const reader = ParamsReader.of(
    params,
    method,
    ['role'],
    `Send { role${required ? '' : '?'}: ${choiceUnion(MODEL_ROLES)} }.`,
  );
  const role = reader.optionalChoice('role', MODEL_ROLES);
  if (role === undefined && required) reader.fail('role is missing');
  return role ?? 'chat';
}

export function parseTokenizeParams(params: unknown): Required<TokenizeParams> {
  const reader = ParamsReader.of(params, 'tokenize', ['text', 'special'], 'Send { text, special? }.');
  return { text: reader.string('text'), special: reader.optionalBoolean('special') ?? false };
}

export function parseCountTokensParams(params: unknown): CountTokensParams {
  const reader: ParamsReader = ParamsReader.of(params, 'countTokens', ['texts'], 'Send { texts: string[] }.');
  return {
    texts: reader.array('texts', (value, name) => {
      if (typeof value !== 'string') reader.fail(`${name} must be a string`);
      return value;
    }),
  };
}

function parseFim(reader: ParamsReader): CompletionPrompt {
  const fim = reader.object('fim', ['prefix', 'suffix']);
  return { kind: 'fim', prefix: fim.string('prefix'), suffix: fim.string('suffix') };
}

function parsePrompt(reader: ParamsReader): CompletionPrompt {
  const prompt = reader.raw('prompt');
  if (typeof prompt === 'string') {
    if (prompt === '') reader.fail('prompt must not be empty');
    return { kind: 'text', text: prompt };
  }
  const parts = reader.array(
    'prompt',
    (value, name): PromptPart => {
      if (typeof value === 'string') return value;
      return { token: reader.object(name, ['token'], value).string('token', { nonEmpty: true }) };
    },
    { nonEmpty: true },
  );
  return { kind: 'parts', parts };
}

/** Optional fields left out rather than present as undefined, so results compare and serialise cleanly. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
