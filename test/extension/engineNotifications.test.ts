import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EngineSupervisor } from '../../src/extension/engineSupervisor';
import { RestartPolicy } from '../../src/extension/restartPolicy';
import type { ContextProgressParams } from '../../src/shared/protocol';
import { builtEnginePath } from '../helpers/builtEngine';

describe('EngineSupervisor notifications', () => {
  it('delivers engine notifications to listeners registered before the start, and after a restart', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-notify-'));
    for (let i = 0; i < 400; i++) writeFileSync(join(root, `f${i}.ts`), `export const v${i} = ${i};\n`);
    const supervisor = new EngineSupervisor({
      enginePath: builtEnginePath(),
      clientVersion: 'test',
      logLevel: () => 'warn',
      log: () => {},
      policy: new RestartPolicy({ initialDelayMs: 10, maxDelayMs: 10, maxRestarts: 3 }),
    });
    const events: ContextProgressParams[] = [];
    supervisor.onNotification('context/progress', (event) => events.push(event));
    try {
      await supervisor.request('context/index', { roots: [root] });
      assert.ok(events.length > 0, 'progress before the restart');
      const first = await supervisor.request('ping', undefined);
      process.kill(first.pid, 'SIGKILL');
      await new Promise<void>((resolve) => {
        const subscription = supervisor.onDidChangeState(
          ({ state }) => state === 'ready' && (subscription.dispose(), resolve()),
        );
      });
      events.length = 0;
      await supervisor.request('context/index', { roots: [root] });
      assert.ok(events.length > 0, 'progress after the restart');
      assert.ok(events.every((event) => event.phase === 'scanning' || event.phase === 'parsing'));
    } finally {
      await supervisor.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
