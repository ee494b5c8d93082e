import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import { extensionId, runAndDismiss, waitFor } from './suiteSupport';

interface Manifest {
  version: string;
  engines: { vscode: string };
}

function manifest(): Manifest {
  const extension = vscode.extensions.getExtension(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  return extension.packageJSON as Manifest;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerExtensionTests(): void {
  describe('Hearth in a real VS Code', () => {
    let api: HearthApi;

    it('is installed, not active before use, and activates', async () => {
      const extension = vscode.extensions.getExtension<HearthApi>(extensionId);
      assert.ok(extension, `${extensionId} is not installed`);
      assert.equal(manifest().engines.vscode, '^1.100.0');
      assert.equal(extension.isActive, false, 'activated before any Hearth view or command was used');
      api = await extension.activate();
      assert.equal(extension.isActive, true);
    });

    it('registers its commands', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const command of [
        'hearth.explainCodebase',
        'hearth.refactorSelection',
        'hearth.acceptChange',
        'hearth.rejectChange',
        'hearth.restartEngine',
        'hearth.showLogs',
      ]) {
        assert.ok(commands.includes(command), `${command} is not registered`);
      }
    });

    it('starts the engine process on first use and it answers ping', async () => {
      const ping = await api.ping();
      assert.equal(ping.engineVersion, manifest().version);
      assert.notEqual(ping.pid, process.pid);
      assert.ok(isAlive(ping.pid), `engine pid ${ping.pid} is not alive`);
      assert.ok(ping.memory.rssBytes > 10_000_000, `engine rss ${ping.memory.rssBytes}`);
      assert.equal(api.engineState(), 'ready');
    });

    it('restarts the engine after it is killed', async () => {
      const first = await api.ping();
      process.kill(first.pid, 'SIGKILL');
      await waitFor('the engine to notice the kill', () => (api.engineState() !== 'ready' ? true : undefined));
      const second = await waitFor('a restarted engine', async () => {
        if (api.engineState() !== 'ready') return undefined;
        return api.ping();
      });
      assert.notEqual(second.pid, first.pid);
      assert.ok(isAlive(second.pid));
      assert.equal(isAlive(first.pid), false);
    });

    it('restarts the engine on "Hearth: Restart Engine"', async () => {
      const before = await api.ping();
      await vscode.commands.executeCommand('hearth.restartEngine');
      const after = await api.ping();
      assert.notEqual(after.pid, before.pid);
      await waitFor('the old engine to exit', () => (isAlive(before.pid) ? undefined : true), 5_000);
    });

    it('"Hearth: Explain This Codebase" with no model asks for one, and ends quietly when none is chosen', async () => {
      assert.equal(vscode.workspace.getConfiguration('hearth').get('model.path'), '');
      assert.equal(await runAndDismiss('hearth.explainCodebase'), undefined);
    });
  });
}
