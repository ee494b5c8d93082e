/**
 * Property-based fuzz of every engine method's params, over in-memory streams to a real EngineServer with a
 * tiny model loaded: valid params with one or two fields made wrong, left out or added, each answered with
 * InvalidParams naming a field it broke; afterwards the engine still answers ping and tokenize.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ResponseError } from 'vscode-jsonrpc';
import { Logger } from '../../../src/engine/base/logger';
import { ContextService } from '../../../src/engine/context/contextService';
import type { GenerationService } from '../../../src/engine/generation/generationService';
import { EngineServer } from '../../../src/engine/rpc/engineServer';
import { sendEngineRequest } from '../../../src/shared/engineRpc';
import { EngineErrorCode, PROTOCOL_VERSION, type EngineMethod } from '../../../src/shared/protocol';
import { connectedPair } from '../../helpers/engineConnection';
import { TinyModelFixture } from '../generation/tinyModelFixture';

type Path = readonly (string | number)[];

/** What a field must hold; `optional` fields may be left out (not null: null is a value, and a wrong one). */
type Kind =
  | { type: 'string'; nonEmpty?: boolean; maxLength?: number; optional?: boolean }
  | { type: 'integer'; min: number; max?: number; optional?: boolean }
  | { type: 'choice'; choices: readonly string[]; optional?: boolean }
  | { type: 'boolean'; optional?: boolean }
  | { type: 'number'; optional?: boolean }
  | { type: 'array'; nonEmpty?: boolean; maxItems?: number; optional?: boolean }
  | { type: 'object'; optional?: boolean; open?: boolean }
  /** A union the engine tells apart by shape; wrong values are those `accepts` refuses. */
  | { type: 'union'; accepts: (value: unknown) => boolean }
  | { type: 'sampling' };

interface MethodSpec {
  method: EngineMethod;
  /** Params the engine accepts; never sent as they are. */
  valid: Record<string, unknown>;
  fields: { path: Path; kind: Kind }[];
}

const ROLES = ['chat', 'reasoning', 'completion'];
const QUANTIZATIONS = ['int8', 'int4', 'fp32'];
const KV_CACHES = ['auto', 'float32', 'int8'];
const stop = { path: ['stop'], kind: { type: 'array', maxItems: 16, optional: true } } as const;
const stopItem = { path: ['stop', 0], kind: { type: 'string', nonEmpty: true } } as const;

const METHODS: MethodSpec[] = [
  {
    method: 'model/load',
    valid: { path: '/nowhere', role: 'chat', contextLength: 64, quantization: 'int8', kvCache: 'auto', threads: 1 },
    fields: [
      { path: ['path'], kind: { type: 'string', nonEmpty: true } },
      { path: ['role'], kind: { type: 'choice', choices: ROLES, optional: true } },
      { path: ['contextLength'], kind: { type: 'integer', min: 1, optional: true } },
      { path: ['quantization'], kind: { type: 'choice', choices: QUANTIZATIONS, optional: true } },
      { path: ['kvCache'], kind: { type: 'choice', choices: KV_CACHES, optional: true } },
      { path: ['threads'], kind: { type: 'integer', min: 1, max: 1024, optional: true } },
      { path: ['cacheDir'], kind: { type: 'string', nonEmpty: true, optional: true } },
    ],
  },
  {
    method: 'model/info',
    valid: { role: 'chat' },
    fields: [{ path: ['role'], kind: { type: 'choice', choices: ROLES, optional: true } }],
  },
  {
    method: 'model/unload',
    valid: { role: 'completion' },
    fields: [{ path: ['role'], kind: { type: 'choice', choices: ROLES } }],
  },
  {
    method: 'model/catalogue',
    valid: { quantization: 'int8', kvCache: 'auto', cacheDir: '/nowhere' },
    fields: [
      { path: ['quantization'], kind: { type: 'choice', choices: QUANTIZATIONS, optional: true } },
      { path: ['kvCache'], kind: { type: 'choice', choices: KV_CACHES, optional: true } },
      { path: ['cacheDir'], kind: { type: 'string', nonEmpty: true, optional: true } },
    ],
  },
  {
    method: 'model/fit',
    valid: { path: '/nowhere', quantization: 'int4', kvCache: 'int8' },
    fields: [
      { path: ['path'], kind: { type: 'string', nonEmpty: true } },
      { path: ['quantization'], kind: { type: 'choice', choices: QUANTIZATIONS, optional: true } },
      { path: ['kvCache'], kind: { type: 'choice', choices: KV_CACHES, optional: true } },
    ],
  },
  {
    method: 'model/download',
    valid: { repo: 'Qwen/Qwen3-0.6B', revision: 'main', dir: '/nowhere', cacheDir: '/nowhere' },
    fields: [
      { path: ['repo'], kind: { type: 'string', nonEmpty: true, maxLength: 200 } },
      { path: ['revision'], kind: { type: 'string', nonEmpty: true, optional: true } },
      { path: ['dir'], kind: { type: 'string', nonEmpty: true, optional: true } },
      { path: ['cacheDir'], kind: { type: 'string', nonEmpty: true, optional: true } },
    ],
  },
  {
    method: 'chat',
    valid: {
      requestId: 'fuzz',
      messages: [
        { role: 'system', content: 'You are Hearth.' },
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: '', toolCalls: [{ name: 'weather', arguments: '{}' }] },
        { role: 'tool', content: 'Sunny' },
      ],
      thinking: 'off',
      sampling: { temperature: 0.7, topK: 20, topP: 0.8, minP: 0, presencePenalty: 0, repetitionPenalty: 1, seed: 1 },
      maxTokens: 1,
      stop: ['\n'],
      tools: [{ type: 'function', function: { name: 'weather', description: 'Now', parameters: { type: 'object' } } }],
      model: 'chat',
    },
    fields: [
      { path: ['requestId'], kind: { type: 'string', nonEmpty: true, maxLength: 256 } },
      { path: ['messages'], kind: { type: 'array', nonEmpty: true } },
      { path: ['messages', 1], kind: { type: 'object' } },
      { path: ['messages', 1, 'role'], kind: { type: 'choice', choices: ['system', 'user', 'assistant', 'tool'] } },
      { path: ['messages', 1, 'content'], kind: { type: 'string' } },
      { path: ['messages', 2, 'toolCalls'], kind: { type: 'array', optional: true } },
      { path: ['messages', 2, 'toolCalls', 0], kind: { type: 'object' } },
      { path: ['messages', 2, 'toolCalls', 0, 'name'], kind: { type: 'string', nonEmpty: true } },
      { path: ['messages', 2, 'toolCalls', 0, 'arguments'], kind: { type: 'string' } },
      { path: ['thinking'], kind: { type: 'choice', choices: ['auto', 'on', 'off'], optional: true } },
      { path: ['sampling'], kind: { type: 'sampling' } },
      { path: ['maxTokens'], kind: { type: 'integer', min: 1, optional: true } },
      stop,
      stopItem,
      { path: ['tools'], kind: { type: 'array', optional: true } },
      { path: ['tools', 0], kind: { type: 'object' } },
      { path: ['tools', 0, 'type'], kind: { type: 'choice', choices: ['function'] } },
      { path: ['tools', 0, 'function'], kind: { type: 'object' } },
      { path: ['tools', 0, 'function', 'name'], kind: { type: 'string', nonEmpty: true } },
      { path: ['tools', 0, 'function', 'description'], kind: { type: 'string', optional: true } },
      { path: ['tools', 0, 'function', 'parameters'], kind: { type: 'object', optional: true, open: true } },
      { path: ['model'], kind: { type: 'choice', choices: ROLES, optional: true } },
    ],
  },
  {
    method: 'complete',
    valid: {
      prompt: ['def f():', { token: '<|endoftext|>' }],
      maxTokens: 1,
      stop: ['\n'],
      sampling: { temperature: 0, seed: 3 },
      model: 'chat',
      warmUp: false,
    },
    fields: [
      {
        path: ['prompt'],
        kind: { type: 'union', accepts: (v) => v !== '' && (typeof v === 'string' || isNonEmptyArray(v)) },
      },
      { path: ['prompt', 1], kind: { type: 'union', accepts: (v) => typeof v === 'string' || isPlainObject(v) } },
      { path: ['prompt', 1, 'token'], kind: { type: 'string', nonEmpty: true } },
      { path: ['maxTokens'], kind: { type: 'integer', min: 1, optional: true } },
      stop,
      stopItem,
      { path: ['sampling'], kind: { type: 'sampling' } },
      { path: ['model'], kind: { type: 'choice', choices: ROLES, optional: true } },
      { path: ['warmUp'], kind: { type: 'boolean', optional: true } },
    ],
  },
  {
    method: 'complete',
    valid: { fim: { prefix: 'a', suffix: 'b' }, maxTokens: 1 },
    fields: [
      { path: ['fim'], kind: { type: 'object' } },
      { path: ['fim', 'prefix'], kind: { type: 'string' } },
      { path: ['fim', 'suffix'], kind: { type: 'string' } },
    ],
  },
  {
    method: 'tokenize',
    valid: { text: 'hello', special: true },
    fields: [
      { path: ['text'], kind: { type: 'string' } },
      { path: ['special'], kind: { type: 'boolean', optional: true } },
    ],
  },
  {
    method: 'countTokens',
    valid: { texts: ['a', ''] },
    fields: [
      { path: ['texts'], kind: { type: 'array' } },
      { path: ['texts', 1], kind: { type: 'string' } },
    ],
  },
  {
    method: 'context/index',
    valid: { roots: ['/nowhere'], excludes: ['**/x'], maxFileBytes: 10 },
    fields: [
      { path: ['roots'], kind: { type: 'array', nonEmpty: true, maxItems: 64 } },
      { path: ['roots', 0], kind: { type: 'string', nonEmpty: true } },
      { path: ['excludes'], kind: { type: 'array', maxItems: 1000, optional: true } },
      { path: ['excludes', 0], kind: { type: 'string', nonEmpty: true } },
      { path: ['maxFileBytes'], kind: { type: 'integer', min: 1, optional: true } },
    ],
  },
  {
    method: 'context/update',
    valid: { changes: [{ path: '/nowhere/a.ts', kind: 'changed', content: 'x' }] },
    fields: [
      { path: ['changes'], kind: { type: 'array', maxItems: 10_000 } },
      { path: ['changes', 0], kind: { type: 'object' } },
      { path: ['changes', 0, 'path'], kind: { type: 'string', nonEmpty: true } },
      { path: ['changes', 0, 'kind'], kind: { type: 'choice', choices: ['changed', 'created', 'deleted'] } },
      { path: ['changes', 0, 'content'], kind: { type: 'string', optional: true } },
    ],
  },
  {
    method: 'context/pack',
    valid: { budget: 1024, format: 'qwen', focus: { activeFile: '/a.ts', openFiles: ['/b.ts'], query: 'q' } },
    fields: [
      { path: ['budget'], kind: { type: 'integer', min: 1 } },
      { path: ['format'], kind: { type: 'choice', choices: ['qwen', 'markdown'], optional: true } },
      { path: ['focus'], kind: { type: 'object', optional: true } },
      { path: ['focus', 'activeFile'], kind: { type: 'string', nonEmpty: true, optional: true } },
      { path: ['focus', 'openFiles'], kind: { type: 'array', maxItems: 200, optional: true } },
      { path: ['focus', 'openFiles', 0], kind: { type: 'string', nonEmpty: true } },
      { path: ['focus', 'query'], kind: { type: 'string', optional: true } },
    ],
  },
];

/** What a value looks like after the trip over the wire (NaN and -0 do not survive it). */
const wire = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
const anyJson = fc.jsonValue({ maxDepth: 2 });

/** Values a field of this kind must refuse. */
function wrongValues(kind: Kind): fc.Arbitrary<unknown> {
  const refused = (accepts: (value: unknown) => boolean, ...extra: unknown[]) =>
    fc.oneof(anyJson, fc.constantFrom(...extra, null, [], {}, true)).filter((value) => !accepts(wire(value)));
  switch (kind.type) {
    case 'string':
      return refused(
        (v) => typeof v === 'string' && !(kind.nonEmpty && v === '') && v.length <= (kind.maxLength ?? Infinity),
        '',
        'x'.repeat((kind.maxLength ?? 1) + 1),
      );
    case 'integer': {
      const max = kind.max ?? Number.MAX_SAFE_INTEGER;
      return refused(
        (v) => typeof v === 'number' && Number.isInteger(v) && v >= kind.min && v <= max,
        kind.min - 1,
        max + 1,
        1.5,
        '1',
        1e308,
      );
    }
    case 'choice':
      return refused(
        (v) => kind.choices.includes(v as string),
        ...kind.choices.map((choice) => choice.toUpperCase()),
        ...kind.choices.map((choice) => ` ${choice}`),
      );
    case 'boolean':
      return refused((v) => typeof v === 'boolean', 'true', 0, 1);
    case 'number':
      return refused((v) => typeof v === 'number', '3');
    case 'array':
      return fc.oneof(
        refused((v) => Array.isArray(v)),
        ...(kind.nonEmpty ? [fc.constant([])] : []),
        ...(kind.maxItems === undefined ? [] : [fc.constant(Array.from({ length: kind.maxItems + 1 }, () => 'x'))]),
      );
    case 'object':
      return refused(isPlainObject);
    case 'union':
      return refused(kind.accepts);
    case 'sampling':
      return fc.oneof(
        refused((v) => v === null || (typeof v === 'object' && !Array.isArray(v)), '0.7', 0.7),
        fc.constantFrom(...Object.keys(SAMPLING_REFUSED)).chain((key) =>
          fc
            .oneof(
              fc.constantFrom(...SAMPLING_REFUSED[key]),
              anyJson.filter((v) => typeof wire(v) !== 'number'),
            )
            .filter((value) => wire(value) !== undefined)
            .map((value) => ({ [key]: value })),
        ),
        fc.constantFrom('top_k', 'temp', 'seed ', 'maxTokens').map((key) => ({ [key]: 1 })),
      );
  }
}

/** Numbers each sampling setting refuses (non-numbers are refused by all of them). */
const SAMPLING_REFUSED: Record<string, number[]> = {
  temperature: [-0.1, 2.01, 1e9],
  topK: [-1, 1.5],
  topP: [0, -1, 1.01],
  minP: [-0.01, 1.5],
  presencePenalty: [-2.5, 2.5],
  repetitionPenalty: [0, -1, 2.5],
  seed: [-1, 0.5, 2 ** 53],
};

/** One change that breaks the params, and the field name the error must mention. */
interface Breakage {
  path: Path;
  /** undefined: leave the field out. */
  value?: unknown;
  /** For an added field, its name. */
  added?: string;
}

function breakages(spec: MethodSpec): fc.Arbitrary<Breakage> {
  const options: fc.Arbitrary<Breakage>[] = [];
  for (const { path, kind } of spec.fields) {
    options.push(wrongValues(kind).map((value) => ({ path, value })));
    if (!('optional' in kind && kind.optional) && kind.type !== 'sampling') options.push(fc.constant({ path }));
    const closed = !(kind.type === 'object' && kind.open);
    if (
      closed &&
      isPlainObject(path.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], spec.valid))
    )
      options.push(addedField(path, spec));
  }
  options.push(addedField([], spec));
  return fc.oneof(...options);
}

/** A field the object at `path` does not know. */
function addedField(path: Path, spec: MethodSpec): fc.Arbitrary<Breakage> {
  const known = new Set(
    spec.fields.filter((field) => field.path.length === path.length + 1).map((field) => String(field.path.at(-1))),
  );
  const name = fc
    .oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constantFrom('max_tokens', '__proto__', 'constructor', 'Role'))
    .filter((key) => !known.has(key));
  return fc.tuple(name, anyJson).map(([added, value]) => ({ path, added, value }));
}

/** The params with the breakages applied (a breakage whose place another one removed is dropped). */
function broken(valid: Record<string, unknown>, changes: readonly Breakage[]): { params: unknown; fields: string[][] } {
  let params: unknown = structuredClone(valid);
  const fields: string[][] = [];
  for (const change of changes) {
    const target = change.added === undefined ? change.path : [...change.path, change.added];
    if (target.length === 0) {
      params = change.value;
      fields.push(['params']);
      continue;
    }
    let parent: unknown = params;
    for (const key of target.slice(0, -1)) parent = isObject(parent) ? parent[key as string] : undefined;
    if (!isObject(parent)) continue;
    const key = target.at(-1)!;
    if (change.value === undefined && change.added === undefined) delete parent[key as string];
    else Object.defineProperty(parent, key, { value: change.value, enumerable: true, writable: true });
    fields.push(fieldName(target));
  }
  return { params, fields };
}

function isPlainObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNonEmptyArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0;
}

function isObject(value: unknown): value is Record<string | number, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * "messages[1].role", as the engine names a field. Sampling settings are checked all together, and their
 * errors say "Invalid sampling settings: unknown setting "x"": those must name both.
 */
function fieldName(path: Path): string[] {
  if (path[0] === 'sampling' && path.length > 1) return ['sampling', String(path[1])];
  return [path.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('')];
}

describe('EngineServer params under fuzzing, over in-memory streams with a tiny model', () => {
  const fixture = new TinyModelFixture();
  let pair: ReturnType<typeof connectedPair>;
  let generation: GenerationService;
  let context: ContextService;

  before(async () => {
    await fixture.write();
    pair = connectedPair();
    const logger = new Logger('error', () => {});
    generation = fixture.service({ logger });
    context = new ContextService({ tokenCounter: () => generation.tokenCounter() });
    new EngineServer(pair.server, { version: '9.9.9', logger, generation, context, onShutdown: () => {} });
    pair.server.listen();
    pair.client.listen();
    await sendEngineRequest(pair.client, 'initialize', {
      clientName: 'fuzz',
      clientVersion: '0.0.0',
      protocolVersion: PROTOCOL_VERSION,
    });
    await sendEngineRequest(pair.client, 'model/load', fixture.loadParams);
  });
  after(async () => {
    pair.dispose();
    await generation.dispose();
    await context.dispose();
    await fixture.dispose();
  });

  /** Sends params as vscode-jsonrpc would (a lone non-object goes as a one-element array) and returns the error. */
  async function errorFor(method: EngineMethod, params: unknown): Promise<ResponseError<unknown>> {
    try {
      const result: unknown = await (params === undefined
        ? pair.client.sendRequest(method)
        : pair.client.sendRequest(method, params));
      assert.fail(`${method} accepted ${JSON.stringify(params)}: ${JSON.stringify(result)}`);
    } catch (error) {
      assert.ok(error instanceof ResponseError, String(error));
      return error;
    }
  }

  for (const spec of METHODS) {
    it(`answers ${spec.method} params with wrong, missing or unknown fields with InvalidParams naming one`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(breakages(spec), { minLength: 1, maxLength: 2 }), async (changes) => {
          const { params, fields } = broken(spec.valid, changes);
          const error = await errorFor(spec.method, params);
          assert.equal(error.code, EngineErrorCode.InvalidParams, error.message);
          assert.ok(
            fields.some((names) => names.every((name) => error.message.includes(name))),
            `"${error.message}" names none of ${fields.map((names) => names.join(' ')).join(', ')}`,
          );
        }),
        { numRuns: 250 },
      );
    });
  }

  it('answers params that are not an object with InvalidParams', async () => {
    const needsParams = METHODS.map((spec) => spec.method).filter(
      (method) => method !== 'model/info' && method !== 'model/catalogue',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...needsParams),
        fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.double(), fc.boolean()),
        async (method, params) => {
          const error = await errorFor(method, params);
          assert.equal(error.code, EngineErrorCode.InvalidParams, error.message);
          assert.match(error.message, /params must be an object/);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('answers initialize params with wrong, missing or unknown fields with InvalidParams naming one', async () => {
    const spec: MethodSpec = {
      method: 'initialize',
      valid: { clientName: 'fuzz', clientVersion: '0.0.0', protocolVersion: PROTOCOL_VERSION, logLevel: 'error' },
      fields: [
        { path: ['clientName'], kind: { type: 'string' } },
        { path: ['clientVersion'], kind: { type: 'string' } },
        { path: ['protocolVersion'], kind: { type: 'number' } },
        { path: ['logLevel'], kind: { type: 'choice', choices: ['error', 'warn', 'info', 'debug'], optional: true } },
      ],
    };
    await fc.assert(
      fc.asyncProperty(fc.array(breakages(spec), { minLength: 1, maxLength: 2 }), async (changes) => {
        const { params, fields } = broken(spec.valid, changes);
        const error = await errorFor(spec.method, params);
        assert.equal(error.code, EngineErrorCode.InvalidParams, error.message);
        assert.ok(
          fields.some((names) => names.every((name) => error.message.includes(name))),
          error.message,
        );
      }),
      { numRuns: 250 },
    );
  });

  it('answers params given as an array of several values with InvalidParams', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...METHODS.map((spec) => spec.method)),
        fc.array(anyJson, { minLength: 2, maxLength: 4 }),
        async (method, values) => {
          // Several values go by position: the request's params are then this JSON array.
          const error = await pair.client.sendRequest(method, ...values).then(
            (result) => assert.fail(`${method} accepted ${JSON.stringify(values)}: ${JSON.stringify(result)}`),
            (rejection: unknown) => rejection as ResponseError<unknown>,
          );
          assert.equal(error.code, EngineErrorCode.InvalidParams, error.message);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('still answers ping and tokenize after the fuzzing', async () => {
    assert.equal((await sendEngineRequest(pair.client, 'ping', undefined)).engineVersion, '9.9.9');
    const { ids } = await sendEngineRequest(pair.client, 'tokenize', { text: 'hello world' });
    assert.deepEqual(ids, [14990, 1879]);
  });
});
