/**
 * Inline completions through the real workbench UI: code-server (VS Code 1.100.3) in Chromium, the extension
 * loaded from this checkout, a synthetic FIM model (Qwen2 architecture) as `hearth.model.completionPath`.
 * Typing in a fixture file shows ghost text from the engine, fast typing costs one engine generation, and Tab
 * inserts the suggestion.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { repoRoot, requireRealVsCode } from './codeServer';
import { openWorkbench, tempFolder, type Cleanups } from './workbench';

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
/** Typed at the end of line 12 (1-based), faster than the debounce. */
const typed = "'Total: ' + tot";

function makeCheckpoint(outDir: string): Promise<void> {
  const args = [
    join(repoRoot, 'dist', 'cli.js'),
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
    'qwen2',
  ];
  return new Promise((resolve, reject) =>
    execFile(process.execPath, args, (error) =>
      error ? reject(new Error(`make-checkpoint failed: ${error.message}`)) : resolve(),
    ),
  );
}

/** Runs a command from the palette (F1) by its title. */
async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: 15_000 });
  await page.keyboard.press('Enter');
}

/** The engine requests so far, from "Hearth: Show Completion Statistics" (its notification, cleared after). */
async function engineRequests(page: Page): Promise<number> {
  await runCommand(page, 'Hearth: Show Completion Statistics (diagnostic)');
  const toast = page.locator('.notification-toast', { hasText: 'Hearth completions:' });
  await toast.waitFor({ timeout: 15_000 });
  const text = (await toast.textContent()) ?? '';
  const match = /(\d+) engine requests/.exec(text);
  assert.ok(match, `no count in "${text}"`);
  await runCommand(page, 'Notifications: Clear All Notifications');
  await toast.waitFor({ state: 'detached', timeout: 15_000 });
  return Number(match[1]);
}

const ghostText = (page: Page) => page.locator('.monaco-editor .ghost-text-decoration');

describe('inline completions in code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'shows ghost text from the engine as the user types, with one generation for a fast burst, and Tab inserts it',
    { timeout: 240_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-inline-', cleanups);
      await makeCheckpoint(join(root, 'coder'));
      // A fixed folder name: it is the repository name in the prompt, and the greedy answer depends on the prompt.
      const workspace = join(root, 'shop');
      mkdirSync(join(workspace, '.vscode'), { recursive: true });
      writeFileSync(join(workspace, 'fixture.ts'), fixture);
      writeFileSync(
        join(workspace, '.vscode', 'settings.json'),
        JSON.stringify({
          'hearth.model.completionPath': join(root, 'coder'),
          'hearth.cacheDir': join(root, 'cache'),
          'editor.quickSuggestions': { other: false, comments: false, strings: false },
        }),
      );

      const { page } = await openWorkbench({ workspace }, cleanups);

      // Open the fixture (quick open: the palette without its ">"), go to the end of its last line.
      await page.keyboard.press('F1');
      const input = page.locator('.quick-input-widget input');
      await input.fill('fixture.ts');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'fixture.ts' })
        .first()
        .waitFor({ timeout: 30_000 });
      await page.keyboard.press('Enter');
      await page.locator('.monaco-editor .view-lines', { hasText: 'export const label' }).waitFor({ timeout: 30_000 });
      const before = await engineRequests(page);
      await page.keyboard.press('F1');
      await input.fill(':12');
      await page.keyboard.press('Enter');
      await page.keyboard.press('End');

      // Faster than the 150 ms debounce; the completion model loads on the first keystroke.
      await page.keyboard.type(typed, { delay: 30 });
      await ghostText(page).first().waitFor({ timeout: 120_000 });
      const ghost = (await ghostText(page).allTextContents()).join('').replace(/\u00a0/g, ' ');
      assert.notEqual(ghost.trim(), '');
      assert.equal((await engineRequests(page)) - before, 1, 'fast typing should cost exactly one engine generation');

      // The palette took the focus and hid the ghost text: ask again (served from the cache) and accept it with Tab.
      await page.keyboard.press('F1');
      await input.fill(':12');
      await page.keyboard.press('Enter');
      await page.keyboard.press('End');
      await runCommand(page, 'Trigger Inline Suggestion');
      await ghostText(page).first().waitFor({ timeout: 30_000 });
      await page.keyboard.press('Tab');
      await page.keyboard.press('Control+S');
      const line = await waitForLine(
        join(workspace, 'fixture.ts'),
        11,
        (text) => text !== `export const label = ${typed}`,
      );
      // The editor draws a tab of the suggestion as spaces up to the next tab stop.
      const spaced = (text: string) => text.replace(/\s+/g, ' ');
      assert.equal(spaced(line), spaced(`export const label = ${typed}${ghost}`));
    },
  );
});

async function waitForLine(
  file: string,
  index: number,
  done: (line: string) => boolean,
  timeoutMs = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const line = readFileSync(file, 'utf8').split('\n')[index] ?? '';
    if (done(line) || Date.now() > deadline) return line;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
