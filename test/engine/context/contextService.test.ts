import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ContextService } from '../../../src/engine/context/contextService';
import { approximateCounter, SMALL_PROJECT, TempDirs } from './contextFixtures';

const temp = new TempDirs();
after(() => temp.cleanup());

describe('ContextService', () => {
  it('logs why it rebuilds the repository index when the cached one is discarded', async () => {
    const root = temp.tree(SMALL_PROJECT);
    const cacheDir = temp.make();
    const log: string[] = [];
    const open = async () => {
      const service = new ContextService({ cacheDir, tokenCounter: () => approximateCounter, log: (m) => log.push(m) });
      await service.index({ roots: [root] });
      await service.dispose();
    };
    await open();
    assert.deepEqual(log, [], 'a missing index is no news');

    const [store] = readdirSync(join(cacheDir, 'context'));
    writeFileSync(join(cacheDir, 'context', store), '{"kind":"hearth-context-index"');
    await open();
    assert.deepEqual(log, [
      `rebuilding the repository index: ${join(cacheDir, 'context', store)} was discarded, it is not valid JSON (cut short, or edited)`,
    ]);
  });
});
