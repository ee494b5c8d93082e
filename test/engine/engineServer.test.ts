import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { EngineError } from '../../src/shared/engineError';
import { sendEngineRequest } from '../../src/shared/engineRpc';
import { EngineErrorCode, PROTOCOL_VERSION } from '../../src/shared/protocol';
import { EngineServer } from '../../src/engine/engineServer';
import { Logger } from '../../src/engine/logger';
import { connectedPair } from '../helpers/engineConnection';

const hello = { clientName: 'test', clientVersion: '0.0.0', protocolVersion: PROTOCOL_VERSION };

describe('EngineServer over in-memory streams', () => {
  let pair: ReturnType<typeof connectedPair>;
  let logLines: string[];
  let shutdowns: number;

  beforeEach(() => {
    pair = connectedPair();
    logLines = [];
    shutdowns = 0;
    new EngineServer(pair.server, {
      version: '9.9.9',
      logger: new Logger('debug', (line) => logLines.push(line)),
      onShutdown: () => shutdowns++,
    });
    pair.server.listen();
    pair.client.listen();
  });
  afterEach(() => pair.dispose());

  it('answers initialize with its version, protocol and pid', async () => {
    const result = await sendEngineRequest(pair.client, 'initialize', hello);
    assert.deepEqual(result, { engineVersion: '9.9.9', protocolVersion: PROTOCOL_VERSION, pid: process.pid });
    assert.match(logLines.join(''), /initialized by test 0\.0\.0/);
  });

  it('answers ping with version, pid, uptime and memory after initialize', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    const ping = await sendEngineRequest(pair.client, 'ping', undefined);
    assert.equal(ping.engineVersion, '9.9.9');
    assert.equal(ping.pid, process.pid);
    assert.ok(ping.uptimeMs >= 0 && ping.uptimeMs < 60_000, `uptime ${ping.uptimeMs}`);
    assert.ok(ping.memory.rssBytes > 1_000_000, `rss ${ping.memory.rssBytes}`);
    assert.ok(ping.memory.heapUsedBytes > 0);
  });

  it('rejects requests before initialize with NotInitialized', async () => {
    await assert.rejects(sendEngineRequest(pair.client, 'ping', undefined), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.NotInitialized);
      assert.equal(error.kind, 'NotInitialized');
      assert.equal(error.hint, 'Send "initialize" first.');
      return true;
    });
  });

  it('rejects a different protocol version with ProtocolMismatch and a hint', async () => {
    await assert.rejects(sendEngineRequest(pair.client, 'initialize', { ...hello, protocolVersion: PROTOCOL_VERSION + 1 }), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.ProtocolMismatch);
      assert.match(error.hint ?? '', /Reinstall Hearth/);
      return true;
    });
  });

  it('rejects malformed initialize params with InvalidParams', async () => {
    await assert.rejects(
      pair.client.sendRequest('initialize', { clientName: 42 }),
      (error: { code: number }) => error.code === EngineErrorCode.InvalidParams,
    );
  });

  it('answers an unknown method with MethodNotFound and keeps serving', async () => {
    await assert.rejects(pair.client.sendRequest('no/such/method', {}), (error: { code: number }) => error.code === -32601);
    const result = await sendEngineRequest(pair.client, 'initialize', hello);
    assert.equal(result.engineVersion, '9.9.9');
  });

  it('answers shutdown, then calls onShutdown, then refuses further work', async () => {
    await sendEngineRequest(pair.client, 'initialize', hello);
    await sendEngineRequest(pair.client, 'shutdown', undefined);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(shutdowns, 1);
    await assert.rejects(sendEngineRequest(pair.client, 'ping', undefined), (error: unknown) => {
      assert.ok(error instanceof EngineError);
      assert.equal(error.code, EngineErrorCode.ShuttingDown);
      return true;
    });
  });
});
