/** What the extension-host suites share: the extension's id, synthetic checkpoints, polling. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';

export const extensionId = 'hearth-dev.hearth';

export async function activateHearth(): Promise<{ api: HearthApi; extensionPath: string }> {
  const extension = vscode.extensions.getExtension<HearthApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  return { api: await extension.activate(), extensionPath: extension.extensionPath };
}

/** A synthetic FP8 checkpoint written by the extension's own CLI (about 2 s): random weights, the real Qwen3 tokenizer. */
export function makeCheckpoint(extensionPath: string, outDir: string, arch: 'qwen2' | 'qwen3' = 'qwen3'): void {
  const cli = join(extensionPath, 'dist', 'cli.js');
  const args = [cli, 'make-checkpoint', '--out', outDir, '--geometry', 'tiny', '--dtype', 'fp8', '--seed', '1', '--arch', arch];
  // Under Electron (test-electron) process.execPath is the app: run it as Node.
  const made = spawnSync(process.execPath, args, { encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
  assert.equal(made.status, 0, `make-checkpoint failed:\n${made.stdout}\n${made.stderr}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(50);
  }
}

/** Runs a command that opens a quick pick, closing the pick until the command returns. */
export async function runAndDismiss<T>(command: string, timeoutMs = 15_000): Promise<T | undefined> {
  let settled = false;
  const result = Promise.resolve(vscode.commands.executeCommand<T>(command)).finally(() => (settled = true));
  const deadline = Date.now() + timeoutMs;
  while (!settled && Date.now() < deadline) {
    await sleep(200);
    await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
  }
  return result;
}
