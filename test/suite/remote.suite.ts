import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionStats } from '../../src/extension/completion/completionStats';
import type { ExplainOutcome } from '../../src/extension/explain/explainCommand';
import type { HearthApi } from '../../src/extension/extension';
import { activateHearth, makeCheckpoint, sleep, waitFor } from './suiteSupport';

const settings = () => vscode.workspace.getConfiguration('hearth');
const global = vscode.ConfigurationTarget.Global;
const touched = ['engine.kind', 'engine.url', 'engine.model', 'model.path', 'chat.maxTokens', 'cacheDir'];

/** `hearth serve` (the extension's own CLI) on a checkpoint; resolves with its base URL once it is ready. */
function startServe(cli: string, args: string[]): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', ...args], {
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', HEARTH_MODEL: '', HEARTH_API_KEY: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  return new Promise((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (text: string) => {
      stderr += text;
      const url = /ready at (http\S+)/.exec(stderr)?.[1];
      if (url !== undefined) resolve({ url, child });
    });
    child.once('exit', (code) => reject(new Error(`hearth serve exited with ${code}:\n${stderr}`)));
  });
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerRemoteTests(): void {
  describe('Hearth on a remote engine (hearth serve) in a real VS Code', () => {
    let root = '';
    const saved = new Map<string, unknown>();
    let api: HearthApi;
    let serve: { url: string; child: ChildProcess } | undefined;
    let host = '';
    let extensionPath = '';

    before(async function () {
      this.timeout(120_000);
      // Made here, not when the suite is declared: a run that filters these tests out leaves nothing behind.
      root = mkdtempSync(join(tmpdir(), 'hearth-suite-remote-'));
      const hearth = await activateHearth();
      api = hearth.api;
      extensionPath = hearth.extensionPath;
      for (const key of touched) saved.set(key, settings().inspect(key)?.globalValue);
      await makeCheckpoint(hearth.extensionPath, join(root, 'tiny-remote'));
      serve = await startServe(join(hearth.extensionPath, 'dist', 'cli.js'), [
        '--model',
        join(root, 'tiny-remote'),
        '--cache-dir',
        join(root, 'serve-cache'),
        '--threads',
        '1',
        '--context',
        '2048',
      ]);
      host = new URL(serve.url).host;
      // No local model: a local load attempted would open the model picker and the question would not be answered.
      await settings().update('model.path', undefined, global);
      await settings().update('cacheDir', join(root, 'cache'), global);
      await settings().update('chat.maxTokens', 12, global);
      await settings().update('engine.url', serve.url, global);
      await settings().update('engine.kind', 'remote', global);
      // Earlier suites leave a model loaded: a fresh engine process shows that remote mode loads none.
      await vscode.commands.executeCommand('hearth.restartEngine');
    });
    after(async () => {
      for (const key of touched) await settings().update(key, saved.get(key), global);
      serve?.child.kill('SIGTERM');
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    it("chats with the server's model and the repository as context, loading no model here", async () => {
      const turn = await api.chat.ask('What does greet do?', 'off');
      assert.ok(
        turn.finishReason === 'stop' || turn.finishReason === 'length',
        `the answer ended ${turn.finishReason}: ${turn.error ?? ''}`,
      );
      assert.equal(turn.error, undefined);
      // The repository block is packed by the local engine for the server's 2,048-token context.
      assert.ok(turn.stats && turn.stats.contextTokens > 100, `context ${JSON.stringify(turn.stats)}`);
      assert.ok(turn.stats.contextTokens <= 1_280, `context ${turn.stats.contextTokens} tokens`);
      // Counted by the server's tokenizer: below the local estimate of the block, which errs towards room.
      assert.ok(turn.stats.promptTokens > 300, `prompt ${turn.stats.promptTokens} tokens`);
      assert.equal(await api.modelInfo('chat'), null, 'a model was loaded in the local engine');
      assert.deepEqual(
        (await api.modelPickItems()).map(({ label, description }) => [label, description]),
        [['tiny-remote', `current · 2,048 tokens of context · on ${host}`]],
      );
    });

    it('says what to do when the server lacks the model or wants a key', async () => {
      await settings().update('engine.model', 'qwen-72b', global);
      const unknown = await api.chat.ask('Hi', 'off');
      assert.equal(unknown.finishReason, 'error');
      assert.equal(
        unknown.error,
        `The model server at ${serve!.url} has no model "qwen-72b" (it has "tiny-remote"). Choose one of its models with "Hearth: Select Model".`,
      );
      await settings().update('engine.model', undefined, global);

      const locked = await startServe(join(extensionPath, 'dist', 'cli.js'), [
        '--model',
        join(root, 'tiny-remote'),
        '--cache-dir',
        join(root, 'serve-cache'),
        '--threads',
        '1',
        '--api-key',
        'not-in-settings',
      ]);
      try {
        await settings().update('engine.url', locked.url, global);
        const refused = await api.chat.ask('Hi', 'off');
        assert.equal(refused.finishReason, 'error');
        assert.equal(
          refused.error,
          `The model server at ${locked.url} refused the API key (401). Run "Hearth: Set API Key" with the key the server expects.`,
        );
      } finally {
        await settings().update('engine.url', serve!.url, global);
        locked.child.kill('SIGTERM');
      }
    });

    it('"Explain This Codebase" streams from the server and says so', async () => {
      const outcome = await vscode.commands.executeCommand<ExplainOutcome | undefined>('hearth.explainCodebase');
      assert.ok(outcome, 'the command produced no document');
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === outcome.uri);
      assert.ok(document, 'the explanation document is not open');
      assert.ok(
        document.getText().includes(`> Written by Hearth with tiny-remote @ ${host}, a remote model server. Context: `),
        document.getText().slice(0, 300),
      );
      assert.ok(outcome.usage.completionTokens > 0 && outcome.stats.filesWhole >= 1);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('completes code on the server, in the chat form for a model not trained to fill in the middle', async () => {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? root;
      const file = join(folder, 'remote-fixture.ts');
      writeFileSync(file, 'export function area(width: number, height: number): number {\n  return \n}\n');
      try {
        const editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
        const stats = () =>
          vscode.commands.executeCommand<CompletionStats>('hearth.completion.stats', { silent: true });
        const end = editor.document.lineAt(1).range.end;
        editor.selection = new vscode.Selection(end, end);
        // On a loaded machine the time budget may cut an answer short (not cached): asking again gets a whole one.
        const answers: CompletionStats['last'][] = [];
        while (answers.length < 4 && (answers.at(-1) === undefined || answers.at(-1)?.finishReason === 'cancelled')) {
          const before = await stats();
          await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
          await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
          const after = await waitFor('a completion from the server', async () => {
            const now = await stats();
            return now.engineRequests > before.engineRequests && now.last?.line === 1 && now.engineInFlight === 0
              ? now
              : undefined;
          });
          answers.push(after.last);
        }
        const last = answers.at(-1);
        assert.equal(last?.style, 'chat');
        assert.notEqual(last.finishReason, 'cancelled', JSON.stringify(answers));
        assert.ok(last.usage.promptTokens > 50, `prompt tokens ${last.usage.promptTokens}`);
        await sleep(200);
      } finally {
        await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
        rmSync(file, { force: true });
      }
    });

    it('frees a model loaded here when the kind becomes remote, and loads none when the engine restarts', async function () {
      this.timeout(120_000);
      try {
        await settings().update('engine.kind', 'local', global);
        await settings().update('model.path', join(root, 'tiny-remote'), global);
        await api.loadModel();
        assert.notEqual(await api.modelInfo('chat'), null);
        await settings().update('engine.kind', 'remote', global);
        await waitFor('the local model freed', async () => ((await api.modelInfo('chat')) === null ? true : undefined));
        await vscode.commands.executeCommand('hearth.restartEngine');
        await api.ping();
        // A reload would begin as soon as the engine is ready: the tiny model loads well within this.
        await sleep(2_000);
        assert.equal(await api.modelInfo('chat'), null);
      } finally {
        await settings().update('model.path', undefined, global);
        await settings().update('engine.kind', 'remote', global);
      }
    });
  });
}
