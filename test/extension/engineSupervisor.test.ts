import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EngineSupervisor, type EngineStateChange } from '../../src/extension/engineSupervisor';
import { EngineHungError } from '../../src/extension/engineHungError';
import type { EngineWatchdogOptions } from '../../src/extension/engineWatchdog';
import { RestartPolicy } from '../../src/extension/restartPolicy';
import { TinyModelFixture } from '../engine/generation/tinyModelFixture';
import { builtEnginePath } from '../helpers/builtEngine';

const fastPolicy = () => new RestartPolicy({ initialDelayMs: 20, maxDelayMs: 80, maxRestarts: 3 });

function supervise(enginePath: string, watchdog?: EngineWatchdogOptions) {
  const states: EngineStateChange[] = [];
  const log: string[] = [];
  const supervisor = new EngineSupervisor({
    enginePath,
    clientVersion: 'test',
    logLevel: () => 'info',
    log: (line) => log.push(line),
    policy: fastPolicy(),
    ...(watchdog && { watchdog }),
  });
  supervisor.onDidChangeState((change) => states.push(change));
  return { supervisor, states, log };
}

function nextState(supervisor: EngineSupervisor, state: EngineStateChange['state']): Promise<EngineStateChange> {
  return new Promise((resolve) => {
    const subscription = supervisor.onDidChangeState((change) => {
      if (change.state === state) {
        subscription.dispose();
        resolve(change);
      }
    });
  });
}

describe('EngineSupervisor with the real built engine', () => {
  it('is idle until first use, then starting → ready', async () => {
    const { supervisor, states } = supervise(builtEnginePath());
    try {
      assert.equal(supervisor.state.state, 'idle');
      const ping = await supervisor.request('ping', undefined);
      assert.deepEqual(
        states.map((s) => s.state),
        ['starting', 'ready'],
      );
      assert.equal(states[1].pid, ping.pid);
    } finally {
      await supervisor.dispose();
    }
  });

  it('restarts a killed engine and serves from the new process', async () => {
    const { supervisor, states } = supervise(builtEnginePath());
    try {
      const first = await supervisor.request('ping', undefined);
      const restarted = nextState(supervisor, 'ready');
      process.kill(first.pid, 'SIGKILL');
      await restarted;
      const second = await supervisor.request('ping', undefined);
      assert.notEqual(second.pid, first.pid);
      assert.deepEqual(
        states.map((s) => s.state),
        ['starting', 'ready', 'restarting', 'restarting', 'ready'],
      );
      assert.match(states[2].detail ?? '', /exited unexpectedly \(signal SIGKILL\)/);
    } finally {
      await supervisor.dispose();
    }
  });

  it('kills an engine that stops answering (SIGSTOP), fails its request in flight as hung, and restarts it', async () => {
    const { supervisor, states, log } = supervise(builtEnginePath(), {
      intervalMs: 100,
      timeoutMs: 2_000,
      loadTimeoutMs: 2_000,
    });
    try {
      const first = await supervisor.request('ping', undefined);
      const restarted = nextState(supervisor, 'ready');
      process.kill(first.pid, 'SIGSTOP');
      await assert.rejects(supervisor.request('model/info', { role: 'chat' }), (error: unknown) => {
        assert.ok(error instanceof EngineHungError, String(error));
        assert.match(error.message, /^The engine stopped responding for \d+ s and was restarted\.$/);
        return true;
      });
      await restarted;
      const second = await supervisor.request('ping', undefined);
      assert.notEqual(second.pid, first.pid);
      assert.deepEqual(
        states.map((s) => s.state),
        ['starting', 'ready', 'restarting', 'restarting', 'ready'],
      );
      assert.match(states[2].detail ?? '', /^the engine stopped responding \(\d+ ms without a ping answered\)$/);
      assert.ok(
        log.some((line) => line.includes(`the engine (pid ${first.pid}) answered no ping`)),
        log.join('\n'),
      );
    } finally {
      await supervisor.dispose();
    }
  });

  it('ends a chat whose engine hangs mid-answer with the hung error, after the deltas it streamed', async () => {
    const fixture = new TinyModelFixture();
    await fixture.write();
    const { supervisor } = supervise(builtEnginePath(), { intervalMs: 100, timeoutMs: 2_000, loadTimeoutMs: 60_000 });
    try {
      const { pid } = await supervisor.request('ping', undefined);
      await supervisor.request('model/load', { ...fixture.loadParams, contextLength: 2048 });
      const deltas: string[] = [];
      supervisor.onNotification('chat/delta', ({ content }) => {
        if (deltas.length === 0) process.kill(pid, 'SIGSTOP');
        deltas.push(content ?? '');
      });
      await assert.rejects(
        supervisor.request('chat', {
          requestId: 'hang',
          messages: [{ role: 'user', content: 'Say something long.' }],
          thinking: 'off',
          maxTokens: 1500,
        }),
        EngineHungError,
      );
      assert.ok(deltas.length >= 1, 'the answer had begun streaming before the hang');
    } finally {
      await supervisor.dispose();
      await fixture.dispose();
    }
  });

  it('kills an engine that hangs before answering initialize, as a failed start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-silent-engine-'));
    const silent = join(dir, 'engine.js');
    writeFileSync(silent, 'process.stdin.resume();\n');
    const { supervisor, states } = supervise(silent, { intervalMs: 100, timeoutMs: 300, loadTimeoutMs: 300 });
    try {
      const failed = nextState(supervisor, 'failed');
      await assert.rejects(supervisor.ready(), /^Error: The engine did not answer "initialize" within 0.3 s$/);
      assert.match((await failed).detail ?? '', /start-up failed: The engine did not answer "initialize"/);
      assert.equal(states.filter((s) => s.state === 'failed').length, 1);
    } finally {
      await supervisor.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up after the policy cap on an engine that cannot start, until a manual restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hearth-broken-engine-'));
    const broken = join(dir, 'engine.js');
    writeFileSync(broken, 'process.stderr.write("cannot start\\n"); process.exit(3);\n');
    const { supervisor, states, log } = supervise(broken);
    try {
      const failed = nextState(supervisor, 'failed');
      await assert.rejects(supervisor.ready(), /exited during start-up \(exit code 3\)/);
      const final = await failed;
      assert.match(final.detail ?? '', /start-up failed/);
      // 1 start + 3 restarts, then failed.
      assert.equal(log.filter((line) => line === 'cannot start').length, 4);
      assert.deepEqual(
        states.map((s) => s.state),
        ['starting', 'restarting', 'restarting', 'restarting', 'restarting', 'restarting', 'restarting', 'failed'],
      );
      await assert.rejects(supervisor.ready(), /Run "Hearth: Restart Engine"/);
    } finally {
      await supervisor.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
