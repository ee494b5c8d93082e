import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { EngineProcess } from '../../src/extension/engineProcess';
import { sendEngineRequest } from '../../src/shared/engineRpc';
import { PROTOCOL_VERSION } from '../../src/shared/protocol';
import { builtEnginePath } from '../helpers/builtEngine';

function startEngine(log: string[] = []) {
  return EngineProcess.start({
    enginePath: builtEnginePath(),
    clientName: 'test',
    clientVersion: '1.2.3',
    logLevel: 'debug',
    log: (line) => log.push(line),
  });
}

describe('EngineProcess with the real built engine (dist/engine.js)', () => {
  it('starts, initializes, answers ping from its own process and logs to stderr only', async () => {
    const log: string[] = [];
    const { engine, info } = await startEngine(log);
    try {
      assert.equal(info.protocolVersion, PROTOCOL_VERSION);
      assert.equal(info.pid, engine.pid);
      assert.notEqual(info.pid, process.pid);
      const ping = await sendEngineRequest(engine.connection, 'ping', undefined);
      assert.equal(ping.pid, engine.pid);
      assert.ok(ping.memory.rssBytes > 10_000_000);
      // Protocol parsed cleanly above; the start-up and initialize lines arrived through stderr.
      assert.ok(
        log.some((line) => /\[info\] engine .* started \(pid \d+/.test(line)),
        log.join('\n'),
      );
      assert.ok(
        log.some((line) => /initialized by test 1\.2\.3/.test(line)),
        log.join('\n'),
      );
    } finally {
      await engine.stop();
    }
  });

  it('exits with code 0 after shutdown', async () => {
    const { engine } = await startEngine();
    assert.deepEqual(await engine.stop(), { code: 0, signal: null });
    assert.equal(engine.hasExited, true);
  });

  it('exits when its stdin closes (the parent went away)', async () => {
    const child = spawn(process.execPath, [builtEnginePath()], { stdio: ['pipe', 'pipe', 'pipe'] });
    const exit = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    child.stdin.end();
    assert.deepEqual(await exit, { code: 0, signal: null });
  });

  it('reports a kill as a signal exit and rejects requests afterwards', async () => {
    const { engine } = await startEngine();
    engine.kill();
    assert.deepEqual(await engine.exited, { code: null, signal: 'SIGKILL' });
    await assert.rejects(sendEngineRequest(engine.connection, 'ping', undefined));
  });
});
