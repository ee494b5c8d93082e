import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';
import { extensionId, makeCheckpoint } from './suiteSupport';

/** Starts something that opens a quick pick, closing the pick until it settles. */
async function dismissPicksOf<T>(start: () => Thenable<T>, timeoutMs = 15_000): Promise<T> {
  let settled = false;
  const result = Promise.resolve(start()).finally(() => (settled = true));
  const deadline = Date.now() + timeoutMs;
  while (!settled && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }
  return result;
}

/** Mocha's globals (describe, it) are defined by the time run() calls this. */
export function registerModelTests(): void {
  describe('Hearth models in a real VS Code', () => {
    const root = mkdtempSync(join(tmpdir(), 'hearth-suite-model-'));
    const checkpoint = join(root, 'tiny-qwen3');
    const settings = () => vscode.workspace.getConfiguration('hearth');
    let api: HearthApi;

    before(async () => {
      const extension = vscode.extensions.getExtension<HearthApi>(extensionId);
      assert.ok(extension, `${extensionId} is not installed`);
      api = await extension.activate();
      await makeCheckpoint(extension.extensionPath, checkpoint);
      await settings().update('cacheDir', join(root, 'cache'), vscode.ConfigurationTarget.Global);
      await settings().update('model.path', checkpoint, vscode.ConfigurationTarget.Global);
    });
    after(async () => {
      await settings().update('model.path', undefined, vscode.ConfigurationTarget.Global);
      await settings().update('cacheDir', undefined, vscode.ConfigurationTarget.Global);
      rmSync(root, { recursive: true, force: true });
    });

    it('contributes the model commands and settings', async () => {
      const commands = await vscode.commands.getCommands(true);
      for (const command of ['hearth.selectModel', 'hearth.downloadModel', 'hearth.restartEngine', 'hearth.showLogs']) {
        assert.ok(commands.includes(command), `${command} is not registered`);
      }
      for (const key of [
        'model.path',
        'model.reasoningPath',
        'model.completionPath',
        'context.maxTokens',
        'engine.threads',
        'engine.quantization',
        'engine.kvCache',
        'cacheDir',
      ]) {
        assert.notEqual(settings().inspect(key)?.defaultValue, undefined, `hearth.${key} is not contributed`);
      }
    });

    it('loads the configured checkpoint with the context that fits and reports it', async () => {
      const model = await api.loadModel();
      assert.deepEqual(
        [model.path, model.architecture, model.kind, model.quantization, model.nativeContextLength],
        [checkpoint, 'qwen3', 'hybrid', 'int8', 40_960],
      );
      // No hearth.model.contextLength: the engine's hardware-fit default, a power of two up to 32,768.
      assert.ok(
        model.contextLength >= 4096 &&
          model.contextLength <= 32_768 &&
          Number.isInteger(Math.log2(model.contextLength)),
        `context ${model.contextLength}`,
      );
      // hearth.engine.kvCache auto: the 8-bit cache above 4,096 positions (the default context was sized for it).
      assert.equal(model.kvCache, model.contextLength > 4096 ? 'int8' : 'float32');
    });

    it('refuses at load a context that cannot fit, with Open Settings at hearth.model.contextLength', async () => {
      await settings().update('model.contextLength', 1_000_000_000, vscode.ConfigurationTarget.Global);
      try {
        await assert.rejects(api.loadModel(), (error: Error & { code?: number; setting?: string }) => {
          assert.match(error.message, /^A context of 1000000000 tokens needs [\d.]+ GiB of KV cache/);
          assert.equal(error.setting, 'hearth.model.contextLength');
          return true;
        });
      } finally {
        await settings().update('model.contextLength', undefined, vscode.ConfigurationTarget.Global);
      }
      assert.equal((await api.loadModel()).path, checkpoint);
    });

    it('"Hearth: Select Model" lists the catalogue with the current folder marked, and closes without changing it', async () => {
      const items = await api.modelPickItems();
      assert.deepEqual(
        items.map((item) => item.label),
        [
          '$(check) tiny-qwen3',
          'Qwen3-4B-Instruct-2507-FP8',
          'Qwen3-4B-Thinking-2507-FP8',
          'Qwen3-4B-FP8',
          'Qwen3-0.6B-FP8',
          '$(folder-opened) Choose a local folder…',
        ],
      );
      assert.deepEqual([items[0].description, items[0].detail], ['current model · local folder', checkpoint]);
      for (const item of items.slice(1, 5))
        assert.match(
          item.description ?? '',
          /^(instruct|thinking|hybrid thinking) · \d+\.\d GB · (fits|\$\(warning\) tight|\$\(error\) does not fit)/,
        );
      assert.equal(
        await dismissPicksOf(() => vscode.commands.executeCommand<string | undefined>('hearth.selectModel')),
        undefined,
      );
      assert.equal(settings().get('model.path'), checkpoint);
    });

    it('asks for a model on first use without one, and reports none chosen when the pick is dismissed', async () => {
      await settings().update('model.path', undefined, vscode.ConfigurationTarget.Global);
      await assert.rejects(
        dismissPicksOf(() => api.loadModel()),
        {
          message: 'No model is chosen.',
          hint: 'Run "Hearth: Select Model" to download one or choose a checkpoint folder.',
        },
      );
    });
  });
}
