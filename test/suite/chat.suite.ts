import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ExplainOutcome } from '../../src/extension/explain/explainCommand';
import type { HearthApi } from '../../src/extension/extension';
import type { RefactorOutcome } from '../../src/extension/refactor/refactorCommand';
import { activateHearth, makeCheckpoint, waitFor } from './suiteSupport';

const settings = () => vscode.workspace.getConfiguration('hearth');
const global = vscode.ConfigurationTarget.Global;

function workspaceFile(path: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite runs in a workspace folder');
  return vscode.Uri.joinPath(folder.uri, path);
}

function proposalDiffOpen(): boolean {
  return vscode.window.tabGroups.all.some((group) =>
    group.tabs.some(
      (tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.scheme === 'hearth-proposal',
    ),
  );
}

/** Selects whole lines [from, to) of the fixture file and asks for a refactor of them. */
async function refactorLines(
  path: string,
  from: number,
  to: number,
): Promise<{ editor: vscode.TextEditor; before: string; start: number; end: number; outcome: RefactorOutcome }> {
  const editor = await vscode.window.showTextDocument(workspaceFile(path));
  editor.selection = new vscode.Selection(from, 0, to, 0);
  const before = editor.document.getText();
  const [start, end] = [
    editor.document.offsetAt(editor.selection.start),
    editor.document.offsetAt(editor.selection.end),
  ];
  const outcome = await vscode.commands.executeCommand<RefactorOutcome | undefined>('hearth.refactorSelection', {
    instruction: 'Use a loop instead',
  });
  assert.ok(outcome, 'the refactor proposed nothing');
  return { editor, before, start, end, outcome };
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerChatTests(): void {
  describe('Hearth chat, explain and refactor in a real VS Code', () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-suite-chat-'));
    let api: HearthApi;
    let extensionPath = '';

    before(async () => {
      const hearth = await activateHearth();
      api = hearth.api;
      extensionPath = hearth.extensionPath;
      await makeCheckpoint(hearth.extensionPath, join(root, 'tiny-qwen3'));
      await settings().update('cacheDir', join(root, 'cache'), global);
      await settings().update('chat.maxTokens', 12, global);
      await settings().update('model.path', join(root, 'tiny-qwen3'), global);
    });
    after(async () => {
      for (const key of ['model.path', 'model.reasoningPath', 'chat.maxTokens', 'cacheDir'])
        await settings().update(key, undefined, global);
      rmSync(root, { recursive: true, force: true });
    });

    it('answers with the repository as context, and a follow-up reuses the prefix cache', async () => {
      const first = await api.chat.ask('What does greet do?', 'off');
      assert.ok(
        first.finishReason === 'stop' || first.finishReason === 'length',
        `first answer ended ${first.finishReason}: ${first.error ?? ''}`,
      );
      assert.deepEqual(first.thinking, { enabled: false, decidedBy: 'request' });
      assert.ok(
        first.stats && first.stats.filesWhole >= 5 && first.stats.contextTokens > 300,
        `context ${JSON.stringify(first.stats)}`,
      );
      const second = await api.chat.ask('And where is it called?', 'auto');
      assert.equal(second.error, undefined);
      assert.deepEqual(second.thinking, { enabled: false, decidedBy: 'auto' });
      const { promptTokens, cachedTokens } = second.stats!;
      assert.ok(promptTokens > first.stats.promptTokens, `${promptTokens} prompt tokens`);
      assert.ok(
        cachedTokens >= 0.8 * promptTokens,
        `only ${cachedTokens} of ${promptTokens} prompt tokens came from the cache`,
      );
      console.log(
        `measured: follow-up question, ${cachedTokens} of ${promptTokens} prompt tokens cached (${((100 * cachedTokens) / promptTokens).toFixed(1)}%)`,
      );
      assert.deepEqual(
        api.chat
          .turns()
          .slice(-2)
          .map((turn) => turn.id),
        [first.id, second.id],
      );
    });

    it("packs an editor's unsaved text, and the disk's again once the editor is closed without saving", async () => {
      const files = vscode.workspace.getConfiguration('files');
      await files.update('autoSave', 'off', global); // code-server saves after a delay by default
      const baseline = (await api.chat.ask('What does Greeter count?', 'off')).stats!.contextTokens;
      const editor = await vscode.window.showTextDocument(workspaceFile('src/greeter.ts'));
      const comment = Array.from(
        { length: 40 },
        (_, line) => `// unsaved note ${line}: greetings are counted per instance, not per name.\n`,
      ).join('');
      await editor.edit((builder) => builder.insert(new vscode.Position(0, 0), comment));
      assert.equal(editor.document.isDirty, true);
      const unsaved = (await api.chat.ask('And now?', 'off')).stats!.contextTokens;
      assert.ok(
        unsaved > baseline + 400,
        `the unsaved text did not reach the context: ${baseline} → ${unsaved} tokens`,
      );
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
      await waitFor(
        "the disk's text back in the context",
        async () =>
          (await api.chat.ask('And after closing?', 'off')).stats!.contextTokens === baseline ? true : undefined,
        15_000,
      );
      await files.update('autoSave', undefined, global);
    });

    it('"Explain This Codebase" streams a Markdown document framed by its context stats', async () => {
      const outcome = await vscode.commands.executeCommand<ExplainOutcome | undefined>('hearth.explainCodebase');
      assert.ok(outcome, 'the command produced no document');
      const document = vscode.workspace.textDocuments.find((candidate) => candidate.uri.toString() === outcome.uri);
      assert.ok(document, 'the explanation document is not open');
      const tabs = vscode.window.tabGroups.all
        .flatMap((group) => group.tabs)
        .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.toString() === outcome.uri);
      assert.equal(tabs.length, 1, 'the explanation is not open in exactly one editor');
      assert.equal(document.languageId, 'markdown');
      assert.equal(document.isUntitled, true);
      const text = document.getText();
      assert.match(
        text,
        /^# .*: how this codebase works\n\n> Written by Hearth with tiny-qwen3 on this machine\. Context: \d+ files? whole, (\d+ excerpts?, )?\d+ outlined, \d+ more named in the map(, \d+ only counted in it)? · [\d,]+ of [\d,]+ context tokens( \([\d,]+ overview\))?\.\n/,
      );
      assert.match(
        text,
        /\n---\n\n\*Hearth: (finished|stopped at the token limit) · prompt [\d,]+ tokens \([\d,]+ cached\) · prefill [\d.,]+ tok\/s · decode [\d.,]+ tok\/s · \d+ tokens written\*\n$/,
      );
      assert.ok(outcome.usage.completionTokens > 0 && outcome.stats.filesWhole >= 5);
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    });

    it('"Refactor Selection…" proposes the model\'s code as a diff; Accept applies it as one undoable edit', async () => {
      const { editor, before, start, end, outcome } = await refactorLines('src/math.ts', 0, 3);
      assert.ok(proposalDiffOpen(), 'no diff of the proposal is open');
      assert.equal(editor.document.getText(), before, 'the file changed before the proposal was accepted');
      // Whole unindented lines take the code as it came, ending with a line break like the selection, and with
      // the file's line endings (the random model writes \r\n too).
      const code = outcome.code.replace(/\r\n|\r/g, '\n');
      assert.equal(outcome.newText, code.endsWith('\n') ? code : `${code}\n`);
      assert.equal(await vscode.commands.executeCommand<boolean>('hearth.acceptChange'), true);
      assert.equal(editor.document.getText(), before.slice(0, start) + outcome.newText + before.slice(end));
      assert.equal(proposalDiffOpen(), false);
      await vscode.window.showTextDocument(editor.document);
      await vscode.commands.executeCommand('undo');
      assert.equal(editor.document.getText(), before, 'one Undo reverts the whole change');
      await editor.document.save();
    });

    it('Reject leaves the file as it was', async () => {
      const { editor, before } = await refactorLines('src/math.ts', 0, 3);
      await vscode.commands.executeCommand('hearth.rejectChange');
      assert.equal(proposalDiffOpen(), false);
      assert.equal(editor.document.getText(), before);
      assert.equal(await vscode.commands.executeCommand<boolean>('hearth.acceptChange'), false);
    });

    it('a configured reasoning model serves refactors beside the chat model, and is freed when the setting is cleared', async () => {
      const reasoner = join(root, 'reasoner');
      await makeCheckpoint(extensionPath, reasoner);
      await settings().update('model.reasoningPath', reasoner, global);
      await refactorLines('src/math.ts', 0, 3);
      await vscode.commands.executeCommand('hearth.rejectChange');
      assert.equal((await api.modelInfo('reasoning'))?.path, reasoner);
      assert.equal((await api.modelInfo('chat'))?.path, join(root, 'tiny-qwen3'), 'the chat model stays loaded');
      await settings().update('model.reasoningPath', undefined, global);
      await waitFor('the reasoning model to be unloaded', async () =>
        (await api.modelInfo('reasoning')) === null ? true : undefined,
      );
      assert.equal((await api.chat.ask('Still there?', 'off')).error, undefined);
    });

    it('an engine crash mid-answer ends the turn with the error and keeps the partial answer; the next question works', async () => {
      await settings().update('chat.maxTokens', 0, global); // answers run to the end of the context
      const { pid } = await api.ping();
      const answering = api.chat.ask('Explain everything in detail.', 'off');
      await waitFor('the answer to start', () => (api.chat.turns().at(-1)?.answer ? true : undefined));
      process.kill(pid, 'SIGKILL');
      const crashed = await answering;
      await settings().update('chat.maxTokens', 12, global);
      assert.equal(crashed.finishReason, 'error');
      assert.match(crashed.error ?? '', /engine stopped while answering/);
      assert.ok(crashed.answer.length > 0, 'the partial answer was lost');
      assert.equal(api.chat.turns().at(-1)?.answer, crashed.answer, 'the conversation lost the partial answer');
      const after = await api.chat.ask('Still there?', 'off');
      assert.ok(
        after.finishReason === 'stop' || after.finishReason === 'length',
        `after the restart: ${after.finishReason} ${after.error ?? ''}`,
      );
      assert.notEqual((await api.ping()).pid, pid);
    });
  });
}
