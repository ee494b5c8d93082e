/** What the extension-host suites share: the extension's id, synthetic checkpoints, polling. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HearthApi } from '../../src/extension/extension';

export const extensionId = 'hearth-dev.hearth';

export async function activateHearth(): Promise<{ api: HearthApi; extensionPath: string }> {
  const extension = vscode.extensions.getExtension<HearthApi>(extensionId);
  assert.ok(extension, `${extensionId} is not installed`);
  return { api: await extension.activate(), extensionPath: extension.extensionPath };
}

/**
 * A synthetic FP8 checkpoint written by the extension's own CLI (about 2 s): random weights, the real Qwen3
 * tokenizer. Not spawnSync: that would block the extension host for seconds.
 */
export function makeCheckpoint(
  extensionPath: string,
  outDir: string,
  arch: 'qwen2' | 'qwen3' = 'qwen3',
): Promise<void> {
  const cli = join(extensionPath, 'dist', 'cli.js');
  const args = [
    cli,
    'make-checkpoint',
    '--out',
    outDir,
    '--geometry',
    'tiny',
    '--dtype',
    'fp8',
    '--seed',
    '1',
    '--arch',
    arch,
  ];
  return new Promise((resolve, reject) => {
    // Under Electron (test-electron) process.execPath is the app: run it as Node.
    execFile(process.execPath, args, { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`make-checkpoint failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve(),
    );
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns something other than undefined. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> {
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
