import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionStats } from '../../src/extension/completion/completionStats';
import type { HearthApi } from '../../src/extension/extension';
import { extensionId, makeCheckpoint, sleep, waitFor } from './suiteSupport';

const stats = async (): Promise<CompletionStats> =>
  vscode.commands.executeCommand<CompletionStats>('hearth.completion.stats', { silent: true });
/** Waits until nothing is in flight and no provider call or engine request came for `quietMs`. */
async function settled(quietMs = 600): Promise<CompletionStats> {
  let last = await stats();
  for (let quiet = 0; quiet < quietMs; quiet += 100) {
    await sleep(100);
    const now = await stats();
    if (now.engineInFlight > 0 || now.engineRequests !== last.engineRequests || now.provided !== last.provided)
      quiet = -100;
    last = now;
  }
  return last;
}

const fixture = [
  'export interface Item {',
  '  name: string;',
  '  price: number;',
  '}',
  '',
  'export function total(items: Item[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item.price;',
  '  return sum',
  '}',
  '',
  'export const label = ',
  '',
].join('\n');

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerCompletionTests(): void {
  describe('Hearth inline completions in a real VS Code', () => {
    let root = '';
    const settings = () => vscode.workspace.getConfiguration('hearth');
    const touched = [
      'cacheDir',
      'model.path',
      'model.completionPath',
      'completion.enabled',
      'completion.disabledLanguages',
      'completion.debounceMs',
      'completion.warmUp',
    ];
    const saved = new Map<string, unknown>();
    let editor: vscode.TextEditor;

    before(async function () {
      this.timeout(120_000);
      const extension = vscode.extensions.getExtension<HearthApi>(extensionId);
      assert.ok(extension, `${extensionId} is not installed`);
      await extension.activate();
      root = mkdtempSync(join(tmpdir(), 'hearth-suite-completion-'));
      for (const key of touched) saved.set(key, settings().inspect(key)?.globalValue);
      await makeCheckpoint(extension.extensionPath, join(root, 'coder'), 'qwen2');
      await makeCheckpoint(extension.extensionPath, join(root, 'chat'), 'qwen3');
      await settings().update('cacheDir', join(root, 'cache'), vscode.ConfigurationTarget.Global);
      await settings().update('model.path', undefined, vscode.ConfigurationTarget.Global);
      await settings().update('model.completionPath', join(root, 'coder'), vscode.ConfigurationTarget.Global);

      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? root;
      const file = join(folder, 'completion-fixture.ts');
      writeFileSync(file, fixture);
      editor = await vscode.window.showTextDocument(vscode.Uri.file(file));
    });

    after(async () => {
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      for (const key of touched) await settings().update(key, saved.get(key), vscode.ConfigurationTarget.Global);
      rmSync(join(vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? root, 'completion-fixture.ts'), {
        force: true,
      });
      if (root !== '') rmSync(root, { recursive: true, force: true });
    });

    /** Puts the cursor at the end of a line and asks for a suggestion; resolves with the engine's suggestion. */
    async function suggestAtEndOf(line: number): Promise<string> {
      const end = editor.document.lineAt(line).range.end;
      editor.selection = new vscode.Selection(end, end);
      const before = await stats();
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      const after = await waitFor('an engine generation', async () => {
        const now = await stats();
        return now.engineRequests > before.engineRequests && now.last?.line === line && now.provided > before.provided
          ? now
          : undefined;
      });
      await settled();
      return after.last!.text;
    }

    it('shows ghost text from the FIM completion model that the commit command inserts', async () => {
      // The model is random: find a line where it has something to suggest (greedy, so the same on every run).
      let line = -1;
      let suggestion = '';
      for (const candidate of [11, 8, 6, 1]) {
        suggestion = await suggestAtEndOf(candidate);
        if (suggestion !== '') {
          line = candidate;
          break;
        }
      }
      assert.notEqual(line, -1, 'the model suggested nothing at any of the lines tried');
      const last = (await stats()).last!;
      assert.equal(last.style, 'fim');
      assert.equal(last.shape, 'single-line');
      assert.ok(last.usage.promptTokens > 50, `prompt tokens ${last.usage.promptTokens}`);

      const original = editor.document.lineAt(line).text;
      // The suggestion is shown as ghost text once the provider answers; committing inserts it.
      await waitFor(
        'the ghost text to be committed',
        async () => {
          await vscode.commands.executeCommand('editor.action.inlineSuggest.commit');
          return editor.document.lineAt(line).text !== original ? true : undefined;
        },
        10_000,
      );
      assert.equal(editor.document.lineAt(line).text, original + suggestion);
    });

    it('sends one engine request, for the final position, when the user types fast', async () => {
      await vscode.commands.executeCommand('editor.action.inlineSuggest.hide');
      const line = 4; // the blank line between the interface and the function
      editor.selection = new vscode.Selection(line, 0, line, 0);
      // Keystrokes 80 ms apart: past VS Code's own 50 ms debounce, so each reaches the provider, and well within a
      // 400 ms debounce even on a busy machine.
      await settings().update('completion.debounceMs', 400, vscode.ConfigurationTarget.Global);
      const before = await settled();
      const gaps: number[] = [];
      let typedAt = Date.now();
      for (const character of 'const q7 = ') {
        await vscode.commands.executeCommand('type', { text: character });
        gaps.push(Date.now() - typedAt);
        typedAt = Date.now();
        await sleep(80);
      }
      const after = await waitFor('the generation for the final position', async () => {
        const now = await stats();
        return now.last?.line === line && now.last.character === 'const q7 = '.length ? now : undefined;
      });
      const final = await settled();
      assert.equal(
        final.engineRequests - before.engineRequests,
        1,
        `engine requests: ${JSON.stringify({ gaps, before, after, final })}`,
      );
      assert.equal(final.last?.line, line);
      assert.equal(final.last?.character, 'const q7 = '.length);
      assert.ok(
        final.provided - before.provided >= 2,
        `the provider was asked ${final.provided - before.provided} times while typing`,
      );
      assert.ok(final.debounced > before.debounced, 'no call was dropped by the debounce');
      await settings().update('completion.debounceMs', undefined, vscode.ConfigurationTarget.Global);
    });

    it('stays quiet for a disabled language and while toggled off', async () => {
      await settings().update('completion.disabledLanguages', ['typescript'], vscode.ConfigurationTarget.Global);
      let before = await settled();
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await sleep(400);
      assert.equal((await stats()).provided, before.provided);
      await settings().update('completion.disabledLanguages', [], vscode.ConfigurationTarget.Global);

      await vscode.commands.executeCommand('hearth.toggleCompletions');
      assert.equal(settings().get('completion.enabled'), false);
      before = await stats();
      await vscode.commands.executeCommand('editor.action.inlineSuggest.trigger');
      await sleep(400);
      assert.equal((await stats()).provided, before.provided);
      await vscode.commands.executeCommand('hearth.toggleCompletions');
      assert.equal(settings().get('completion.enabled'), true);
    });

    it('sends the prompt at the cursor ahead when a file is focused or the cursor rests on another line, so the first request there finds it all cached', async () => {
      const line = 2; // asked for by no other test
      const end = editor.document.lineAt(line).range.end;
      editor.selection = new vscode.Selection(end, end);
      const before = await settled();
      // Another editor, then back: a second after the file is focused again, its prompt goes to the engine.
      const other = await vscode.workspace.openTextDocument({ language: 'plaintext', content: 'elsewhere' });
      await vscode.window.showTextDocument(other);
      editor = await vscode.window.showTextDocument(editor.document);
      await waitFor(
        'the warm-up to finish',
        async () => ((await stats()).warmUpsFinished > before.warmUpsFinished ? true : undefined),
        15_000,
      );
      await suggestAtEndOf(line);
      const { usage } = (await stats()).last!;
      assert.equal(
        usage.cachedTokens,
        usage.promptTokens - 1,
        `${usage.cachedTokens} of ${usage.promptTokens} prompt tokens cached`,
      );

      // The cursor moves to another line and rests there: its prompt goes ahead too.
      const moved = (await settled()).warmUpsFinished;
      const start = editor.document.lineAt(0).range.end;
      editor.selection = new vscode.Selection(start, start);
      await waitFor(
        'the warm-up after the move',
        async () => ((await stats()).warmUpsFinished > moved ? true : undefined),
        15_000,
      );
      await suggestAtEndOf(0);
      const atStart = (await stats()).last!.usage;
      assert.equal(
        atStart.cachedTokens,
        atStart.promptTokens - 1,
        `${atStart.cachedTokens} of ${atStart.promptTokens} prompt tokens cached`,
      );

      // A move along the warm line, and a rest where the user has just typed, send nothing: the cache is warm there.
      const sentWhenWarm = (await settled()).warmUpsSent;
      editor.selection = new vscode.Selection(0, 0, 0, 0);
      await sleep(1500);
      const typed = editor.document.lineAt(4).range.end;
      editor.selection = new vscode.Selection(typed, typed);
      await editor.edit((edit) => edit.insert(typed, ' '));
      await sleep(1500);
      await vscode.commands.executeCommand('undo');
      assert.equal((await settled()).warmUpsSent, sentWhenWarm);

      // hearth.completion.warmUp off: focusing sends nothing ahead.
      await settings().update('completion.warmUp', false, vscode.ConfigurationTarget.Global);
      const sent = (await stats()).warmUpsSent;
      await vscode.window.showTextDocument(other);
      editor = await vscode.window.showTextDocument(editor.document);
      await sleep(1500); // past the second's rest after which a warm-up would be sent
      assert.equal((await stats()).warmUpsSent, sent);
      await settings().update('completion.warmUp', undefined, vscode.ConfigurationTarget.Global);
      await vscode.window.showTextDocument(other);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      editor = await vscode.window.showTextDocument(editor.document);
    });

    it('keeps the FIM model completing beside a chat model, and asks the chat model in chat form once completionPath is cleared', async () => {
      await settings().update('model.path', join(root, 'chat'), vscode.ConfigurationTarget.Global);
      await suggestAtEndOf(8);
      assert.equal((await stats()).last!.style, 'fim');
      const api = vscode.extensions.getExtension<HearthApi>(extensionId)!.exports;
      await api.loadModel();
      assert.equal((await api.modelInfo('completion'))?.path, join(root, 'coder'));
      assert.equal((await api.modelInfo('chat'))?.path, join(root, 'chat'));

      await settings().update('model.completionPath', undefined, vscode.ConfigurationTarget.Global);
      await waitFor('the completion model to be unloaded', async () =>
        (await api.modelInfo('completion')) === null ? true : undefined,
      );
      await suggestAtEndOf(6);
      const last = (await stats()).last!;
      assert.equal(last.style, 'chat');
      assert.ok(['stop', 'length', 'cancelled'].includes(last.finishReason));
    });
  });
}
