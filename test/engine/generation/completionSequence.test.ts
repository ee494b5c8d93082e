/**
 * Which KV sequence a completion runs on, on a real tiny model: its own when the prompt and output fit it, else
 * the main one; and the main one only for a model that serves completions alone.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import { parseModelConfig } from '../../../src/engine/checkpoint/modelConfigParser';
import type { GenerationService } from '../../../src/engine/generation/generationService';
import { kvBytesPerToken } from '../../../src/engine/onnx/kvBudget';
import type { LoadPlan, ModelLoadParams } from '../../../src/shared/protocol';
import { parseEngineParams } from '../../../src/shared/wire/parseEngineParams';
import { observePrefill, TinyModelFixture, type PrefillHook } from './tinyModelFixture';

const never = new AbortController().signal;
const CONTEXT = 2048;
/** What the budget leaves beside the main context: 1,024 positions once rounded down to steps of 64. */
const LEFT = 1024 + 40;

describe('The KV sequence a completion runs on', () => {
  const fixture = new TinyModelFixture();
  const log: string[] = [];
  /** The sequence of each decoder run, in order. */
  const sequences: string[] = [];
  const hooks: { after?: PrefillHook } = { after: (_tokens, _call, sequence) => void sequences.push(sequence) };
  let service: GenerationService;
  let plan: LoadPlan;

  const complete = (prompt: string, maxTokens: number, model?: 'completion') =>
    service.complete(parseEngineParams('complete', { prompt, maxTokens, model }), never);
  const load = (params: Partial<ModelLoadParams> = {}) =>
    service.loadModel({ ...fixture.loadParams, contextLength: CONTEXT, plan, ...params }, () => {}, never);

  before(async () => {
    await fixture.write();
    const config = parseModelConfig(
      JSON.parse(readFileSync(join(fixture.checkpoint, 'config.json'), 'utf8')),
      'config.json',
    );
    plan = {
      contextLength: CONTEXT,
      kvCache: 'float32',
      kvBudgetBytes: Math.ceil(kvBytesPerToken(config, 'float32') * (CONTEXT + LEFT)),
      memory: { freeBytes: 16 * 1024 ** 3, totalBytes: 16 * 1024 ** 3 },
    };
  });
  afterEach(async () => {
    await service.dispose();
    sequences.length = 0;
    log.length = 0;
  });
  after(() => fixture.dispose());

  it('runs a completion on its own sequence, and one longer than that sequence on the main one', async () => {
    service = fixture.service({ logger: new Logger('info', (line) => log.push(line)) }, (decoder) =>
      observePrefill(decoder, hooks),
    );
    await load();
    assert.ok(
      log.some((line) => line.includes(`context ${CONTEXT}, 1024 positions for completions`)),
      log.join('\n'),
    );
    const short = await complete('let total =', 3);
    assert.deepEqual(sequences, ['completions', 'completions', 'completions']);
    assert.equal(short.usage.completionTokens, 3);

    sequences.length = 0;
    // 1,020 prompt tokens and 8 more: over the 1,024 positions.
    const long = await complete(`${'x '.repeat(1019)}y`, 8);
    assert.equal(long.usage.promptTokens, 1020);
    assert.ok(sequences.length > 0 && sequences.every((sequence) => sequence === 'main'));

    // The short one's prompt is still live on its own sequence.
    const again = await complete('let total =', 1);
    assert.equal(again.usage.cachedTokens, again.usage.promptTokens - 1);
  });

  it('runs completions on the main sequence of a model that serves only them', async () => {
    service = fixture.service({ logger: new Logger('info', (line) => log.push(line)) }, (decoder) =>
      observePrefill(decoder, hooks),
    );
    await load();
    await load({ role: 'completion' });
    assert.ok(
      log.some((line) => line.includes(`as the completion model`) && line.includes('completions on the main sequence')),
      log.join('\n'),
    );
    sequences.length = 0;
    await complete('let total =', 2, 'completion');
    assert.deepEqual(sequences, ['main', 'main']);
  });
});
