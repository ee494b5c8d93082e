import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import type { RepositoryPrefixState } from '../../src/extension/context/repositoryPrefixState';
import { activateHearth, makeCheckpoint, waitFor } from './suiteSupport';

const settings = () => vscode.workspace.getConfiguration('hearth');
const global = vscode.ConfigurationTarget.Global;

/** A README long enough that the overview passes the 512 tokens a prefix needs to be stored on disk. */
const LONG_README = [
  '# greetings',
  '',
  ...Array.from(
    { length: 40 },
    (_, i) => `- Note ${i}: greetings are counted per instance, and sums of ${i} numbers are exact for integers.`,
  ),
  '',
].join('\n');

/** The KV snapshot files under a cache folder. */
function snapshotFiles(cacheDir: string): string[] {
  try {
    return readdirSync(join(cacheDir, 'kv'), { recursive: true, encoding: 'utf8' }).filter((name) =>
      name.endsWith('.kv'),
    );
  } catch {
    return [];
  }
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerRepositoryPrefixTests(): void {
  describe('The repository prefix computed in the background, in a real VS Code', () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-suite-prefix-'));
    const cacheDir = join(root, 'cache');
    let api: HearthApi;
    let readme = '';
    let readmeText = '';
    let ready: RepositoryPrefixState | undefined;

    before(async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder, 'the suite runs in a workspace folder');
      readme = join(folder.uri.fsPath, 'README.md');
      readmeText = readFileSync(readme, 'utf8');
      writeFileSync(readme, LONG_README);
      const hearth = await activateHearth();
      api = hearth.api;
      await makeCheckpoint(hearth.extensionPath, join(root, 'tiny-qwen3'));
      await settings().update('cacheDir', cacheDir, global);
      await settings().update('model.contextLength', 8192, global);
      await settings().update('context.maxTokens', 4096, global);
      await settings().update('chat.maxTokens', 4, global);
      await settings().update('model.path', join(root, 'tiny-qwen3'), global);
    });
    after(async () => {
      for (const key of [
        'model.path',
        'chat.maxTokens',
        'context.maxTokens',
        'model.contextLength',
        'context.prefillInBackground',
        'cacheDir',
      ])
        await settings().update(key, undefined, global);
      writeFileSync(readme, readmeText);
      api.chat.newChat();
      rmSync(root, { recursive: true, force: true });
    });

    it('says the repository prefix is ready once the model is loaded and the workspace indexed', async () => {
      await api.loadModel();
      ready = await waitFor(
        'the repository prefix to be ready',
        () => {
          const state = api.repositoryPrefix();
          return state?.phase === 'ready' ? state : undefined;
        },
        120_000,
      );
      assert.ok(ready.phase === 'ready' && ready.tokens > 512, `prefix ${JSON.stringify(ready)}`);
      console.log(`measured: repository prefix of ${ready.tokens} tokens ready`);
    });

    it('after Restart Engine, a first question reports the prefix restored from disk', async () => {
      assert.ok(ready?.phase === 'ready', 'the test before computed the prefix');
      await waitFor('the prefix stored on disk', () => (snapshotFiles(cacheDir).length > 0 ? true : undefined));
      // Off, the new engine leaves the prefix on disk until the question asks for it.
      await settings().update('context.prefillInBackground', false, global);
      await vscode.commands.executeCommand('hearth.restartEngine');
      api.chat.newChat();
      const turn = await api.chat.ask('What does this repository do?', 'off');
      assert.equal(turn.error, undefined);
      const stats = turn.stats!;
      assert.equal(stats.diskTokens, ready.tokens, `${JSON.stringify(stats)}`);
      assert.equal(stats.cachedTokens, ready.tokens);
      console.log(
        `measured: first question after a restart, ${stats.diskTokens} of ${stats.promptTokens} prompt tokens restored from disk, first token ${stats.timeToFirstTokenMs} ms`,
      );
    });
  });
}
