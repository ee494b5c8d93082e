/**
 * A warm-up (complete with warmUp) prefills a prefix in the background and stores it on disk, where a new
 * service on the same cache folder finds it; a completion that arrives meanwhile goes first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Logger } from '../../../src/engine/base/logger';
import type { GenerationService } from '../../../src/engine/generation/generationService';
import { TinyModelFixture } from './tinyModelFixture';
import { parseEngineParams } from '../../../src/shared/wire/parseEngineParams';

const never = new AbortController().signal;
/** About 600 tokens of plain text: the stable block that requests start with. */
const BLOCK = Array.from({ length: 40 }, (_, i) => `function helper${i}(x) { return x * ${i}; }\n`).join('');

describe('Warm-ups store their prefix on disk', () => {
  const fixture = new TinyModelFixture();
  const services: GenerationService[] = [];
  const serviceWith = (log: string[]) => {
    const service = fixture.service({
      prefillChunkTokens: 64,
      logger: new Logger('debug', (line) => log.push(line)),
    });
    services.push(service);
    return service;
  };

  before(() => fixture.write());
  after(async () => {
    for (const service of services) await service.dispose();
    await fixture.dispose();
  });

  it('stores a warm-up prompt that a new service restores from disk', async () => {
    const log: string[] = [];
    const first = serviceWith(log);
    await first.loadModel(fixture.loadParams, () => {}, never);
    const finished: string[] = [];
    const warmUp = first
      .complete(parseEngineParams('complete', { prompt: BLOCK, warmUp: true }), never)
      .finally(() => finished.push('warm-up'));
    // A completion sent while the warm-up prefills takes the model at the next run boundary.
    const urgent = await first
      .complete(parseEngineParams('complete', { prompt: 'const x =', maxTokens: 2 }), never)
      .finally(() => finished.push('completion'));
    const warmed = await warmUp;
    assert.deepEqual(finished, ['completion', 'warm-up']);
    assert.equal(urgent.usage.completionTokens, 2);
    assert.equal(warmed.usage.completionTokens, 1);
    assert.ok(warmed.usage.promptTokens >= 512, `${warmed.usage.promptTokens} tokens`);
    await first.snapshotsSettled();
    const stored = log.map((line) => /KV snapshot of (\d+) tokens stored/.exec(line)?.[1]).find(Boolean);
    assert.equal(Number(stored), warmed.usage.promptTokens);

    const second = serviceWith([]);
    await second.loadModel(fixture.loadParams, () => {}, never);
    const question = await second.complete(
      parseEngineParams('complete', { prompt: `${BLOCK}\nfunction answer() {`, maxTokens: 1 }),
      never,
    );
    assert.ok(question.usage.diskTokens! >= warmed.usage.promptTokens - 1, `${question.usage.diskTokens} from disk`);
    assert.equal(question.usage.cachedTokens, question.usage.diskTokens);
  });
});
