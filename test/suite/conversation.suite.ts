import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import { formatTurnStats } from '../../src/webview/statsLine';
import { activateHearth, makeCheckpoint } from './suiteSupport';

const settings = () => vscode.workspace.getConfiguration('hearth');
const global = vscode.ConfigurationTarget.Global;

/** A context small enough that a few answers of ANSWER_LIMIT tokens outgrow it beside the repository block. */
const CONTEXT_LENGTH = 1024;
const ANSWER_LIMIT = 128;
const MAX_QUESTIONS = 10;

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerConversationTests(): void {
  describe('Hearth conversations that outgrow the context, in a real VS Code', () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-suite-conversation-'));
    const checkpoint = join(root, 'tiny-qwen3');
    let api: HearthApi;

    before(async () => {
      const hearth = await activateHearth();
      api = hearth.api;
      await makeCheckpoint(hearth.extensionPath, checkpoint);
      await settings().update('cacheDir', join(root, 'cache'), global);
      await settings().update('model.contextLength', CONTEXT_LENGTH, global);
      await settings().update('context.maxTokens', 256, global);
      await settings().update('chat.maxTokens', ANSWER_LIMIT, global);
      await settings().update('model.path', checkpoint, global);
    });
    after(async () => {
      for (const key of ['model.path', 'chat.maxTokens', 'context.maxTokens', 'model.contextLength', 'cacheDir'])
        await settings().update(key, undefined, global);
      rmSync(root, { recursive: true, force: true });
    });

    it('leaves out the oldest turns once the conversation outgrows the context, says so, and goes on', async () => {
      assert.equal((await api.loadModel()).contextLength, CONTEXT_LENGTH);
      const asked = api.chat.turns().length;
      let trimmed: Awaited<ReturnType<HearthApi['chat']['ask']>> | undefined;
      let questions = 0;
      for (let question = 1; question <= MAX_QUESTIONS && trimmed === undefined; question++) {
        questions = question;
        const turn = await api.chat.ask(`Question ${question}: what does the code in src/ do?`, 'off');
        assert.equal(turn.error, undefined, `question ${question} failed`);
        assert.ok(turn.finishReason === 'stop' || turn.finishReason === 'length', `ended ${turn.finishReason}`);
        assert.ok(turn.stats, `question ${question} has no stats`);
        if ((turn.stats.turnsLeftOut ?? 0) > 0) trimmed = turn;
      }
      assert.ok(trimmed?.stats, `${MAX_QUESTIONS} questions never outgrew a ${CONTEXT_LENGTH}-token context`);
      const { turnsLeftOut = 0, historyTokens = 0, promptTokens, completionTokens } = trimmed.stats;
      // What the engine saw, and what it wrote, fit the context; the turn says what was left out.
      assert.ok(promptTokens + ANSWER_LIMIT <= CONTEXT_LENGTH, `prompt ${promptTokens} tokens`);
      assert.ok(completionTokens <= ANSWER_LIMIT, `${completionTokens} tokens written`);
      assert.ok(historyTokens > 0 && historyTokens < promptTokens, `history ${historyTokens} tokens`);
      const leftOut = `${turnsLeftOut} earlier ${turnsLeftOut === 1 ? 'turn' : 'turns'} left out to fit the context`;
      assert.ok(formatTurnStats(trimmed.stats).includes(` · ${leftOut} · `), formatTurnStats(trimmed.stats));
      console.log(
        `measured: after ${questions} questions, ${leftOut}; prompt ${promptTokens} of ${CONTEXT_LENGTH} tokens (history ${historyTokens})`,
      );
      // The conversation keeps every turn (earlier suites' included): only the prompt leaves the oldest out.
      assert.equal(api.chat.turns().length, asked + questions);
      assert.equal(api.chat.turns().at(-1)?.id, trimmed.id);

      const next = await api.chat.ask('And the next question?', 'off');
      assert.equal(next.error, undefined);
      assert.ok((next.stats?.turnsLeftOut ?? 0) >= 1, `then ${next.stats?.turnsLeftOut} left out`);
      assert.ok(next.stats!.promptTokens + ANSWER_LIMIT <= CONTEXT_LENGTH, `then ${next.stats!.promptTokens}`);
    });
  });
}
