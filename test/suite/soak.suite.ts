import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { CompletionStats } from '../../src/extension/completion/completionStats';
import { SoakDriver } from './soakDriver';
import { soakPlan, type SoakOptions } from './soakPlan';
import { formatSoakReport } from './soakReport';
import { inlineSuggestion } from './inlineSuggestion';
import { activateHearth, makeCheckpoint, waitFor } from './suiteSupport';

const settings = () => vscode.workspace.getConfiguration('hearth');
const global = vscode.ConfigurationTarget.Global;
const completionStats = () =>
  vscode.commands.executeCommand<CompletionStats>('hearth.completion.stats', { silent: true });
const touched = ['cacheDir', 'model.path', 'model.completionPath', 'chat.maxTokens'];

/** Every request ends within this bound, a restart and both models' reloads included, or it is stuck. */
const BOUND_MS = 60_000;
/**
 * The engine's memory after the soak, its garbage collected, as a share of its idle level. RSS gets more: two engine
 * processes' RSS differ by up to ~100 MiB with the same heap (allocator, onnxruntime's arenas; 494–596 MiB idle).
 */
const AFTER_IDLE = { heap: 1.25, RSS: 1.5 } as const;

const fixture = [
  'export interface Item {',
  '  name: string;',
  '  price: number;',
  '}',
  '',
  'export function total(items: Item[]): number {',
  '  let sum = 0;',
  '  for (const item of items) sum += item.price;',
  '  return sum;',
  '}',
  '',
  'export const label = ',
  '',
].join('\n');

/** The soak's size from HEARTH_SOAK_* (inherited through code-server): test/vscode/soak.test.ts, npm run soak. */
export function soakOptionsFromEnvironment(): SoakOptions | undefined {
  const requests = Number(process.env.HEARTH_SOAK_REQUESTS);
  if (!Number.isInteger(requests) || requests <= 0) return undefined;
  return {
    requests,
    kills: Number(process.env.HEARTH_SOAK_KILLS ?? 1),
    seed: Number(process.env.HEARTH_SOAK_SEED ?? 1),
  };
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerSoakTests(options: SoakOptions): void {
  describe('Hearth soak through the extension, in a real VS Code', () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-suite-soak-'));
    const saved = new Map<string, unknown>();
    let fixturePath = '';

    before(async function () {
      this.timeout(120_000);
      const { extensionPath } = await activateHearth();
      for (const key of touched) saved.set(key, settings().inspect(key)?.globalValue);
      await makeCheckpoint(extensionPath, join(root, 'chat'), 'qwen3');
      await makeCheckpoint(extensionPath, join(root, 'coder'), 'qwen2');
      await settings().update('cacheDir', join(root, 'cache'), global);
      await settings().update('chat.maxTokens', 24, global);
      await settings().update('model.path', join(root, 'chat'), global);
      await settings().update('model.completionPath', join(root, 'coder'), global);
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'the suite runs in a workspace folder');
      fixturePath = join(folder, 'soak-fixture.ts');
      writeFileSync(fixturePath, fixture);
    });
    after(async () => {
      for (const key of touched) await settings().update(key, saved.get(key), global);
      rmSync(fixturePath, { force: true });
      rmSync(root, { recursive: true, force: true });
    });

    it('a completion asked while the engine restarts waits for the completion model to come back', async () => {
      const { api } = await activateHearth();
      const document = await vscode.workspace.openTextDocument(vscode.Uri.file(fixturePath));
      const never = new vscode.CancellationTokenSource().token;
      await api.loadModel();
      await inlineSuggestion(api, document, 8, true, never); // loads the completion model
      const { pid } = await api.ping();
      const before = await completionStats();
      process.kill(pid, 'SIGKILL');
      await waitFor('the supervisor to notice the exit', () => (api.engineState() === 'restarting' ? true : undefined));
      await inlineSuggestion(api, document, 5, true, never);
      const after = await completionStats();
      assert.equal(after.engineErrors, before.engineErrors, 'the completion failed: see "[completion]" in the log');
      assert.equal(after.engineRequests, before.engineRequests + 1);
      assert.notEqual((await api.ping()).pid, pid);
    });

    it(`${options.requests} chat and completion requests with random cancellations and ${options.kills} engine kills: none stuck, no turn lost, memory back to idle`, async function () {
      this.timeout(options.requests * 4_000 + 120_000);
      const { api } = await activateHearth();
      const plan = soakPlan(options);
      const files = ['src/math.ts', 'src/greeter.ts', 'src/index.ts', 'hello.ts', 'README.md'];
      const report = await new SoakDriver({ api, file: vscode.Uri.file(fixturePath), files, boundMs: BOUND_MS }).run(
        plan,
      );
      const reportPath = process.env.HEARTH_SOAK_REPORT;
      if (reportPath) writeFileSync(reportPath, JSON.stringify(report, null, 2));
      for (const line of formatSoakReport(report)) console.log(`measured: ${line}`);

      assert.equal(report.ran, options.requests, 'the soak stopped early');
      assert.equal(report.chat.stuck + report.completion.stuck, 0, 'requests did not end within the bound');
      for (const kind of ['chat', 'completion'] as const) {
        const { answered, empty, cancelled, failed, stuck } = report[kind];
        const ended = answered + empty + cancelled + stuck + Object.values(failed).reduce((sum, n) => sum + n, 0);
        assert.equal(ended, plan.requests.filter((request) => request.kind === kind).length, `${kind} unaccounted`);
      }
      assert.equal(report.kills.length, options.kills, 'not every kill was survived');
      for (const kill of report.kills) assert.notEqual(kill.restartedPid, kill.pid);
      assert.deepEqual(report.unexplainedFailures, []);
      assert.equal(report.conversations.lostTurns, 0, 'finished turns were lost');
      assert.equal(report.conversations.changedTurns, 0, 'finished turns changed afterwards');
      assert.equal(api.engineState(), 'ready');
      for (const [name, { idle, after }] of [
        ['RSS', report.engineRssBytes],
        ['heap', report.engineHeapBytes],
      ] as const) {
        assert.ok(
          after <= idle * AFTER_IDLE[name],
          `engine ${name} ${after} bytes after the soak, ${idle} idle: over ${AFTER_IDLE[name]}× idle`,
        );
      }
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  });
}
