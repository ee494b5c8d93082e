/**
 * "Hearth: Explain This Codebase" from the command palette of code-server (Chromium): with a file open in two
 * editor groups the explanation opens in exactly one editor, beside the active one, and is written to its end;
 * with no editor open, in exactly one editor too.
 */
import assert from 'node:assert/strict';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { makeTinyCheckpoint } from './checkpointFixtures';
import { requireRealVsCode } from './codeServer';
import { openWorkbench, tempFolder, type Cleanups } from './workbench';
import { runCommand } from './workbenchActions';

/** Runs Explain and waits until the explanation in `group` (0-based) is written to its end. */
async function explain(page: Page, group: number): Promise<void> {
  await runCommand(page, 'Hearth: Explain This Codebase');
  const progress = page.locator('.notification-toast', { hasText: 'Hearth: Explain This Codebase' });
  const explanation = page.locator('.editor-group-container').nth(group);
  await explanation.locator('.tab').waitFor({ timeout: 120_000 });
  await progress.waitFor({ state: 'detached', timeout: 120_000 });
  // The footer is the document's last line (the editor shows spaces as no-break spaces).
  await explanation.locator('.view-lines').click();
  await page.keyboard.press('Control+End');
  await explanation
    .locator('.view-lines', { hasText: /Hearth:\s(finished|stopped\sat\sthe\stoken\slimit)\s·\sprompt/ })
    .waitFor({ timeout: 30_000 });
}

/** The label of every editor tab, group by group. */
async function tabsByGroup(page: Page): Promise<string[][]> {
  const groups = page.locator('.editor-group-container');
  const labels: string[][] = [];
  for (let index = 0; index < (await groups.count()); index++)
    labels.push(await groups.nth(index).locator('.tab .label-name').allTextContents());
  return labels;
}

describe('Explain This Codebase in code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'opens the explanation in exactly one editor, with a file open in two groups and with none',
    { timeout: 240_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-explain-ui-', cleanups);
      const settings = {
        'hearth.model.path': makeTinyCheckpoint(join(root, 'tiny-qwen3')),
        'hearth.cacheDir': join(root, 'cache'),
        'hearth.chat.maxTokens': 32, // the explanation's limit too, once the user set one
        'hearth.completion.enabled': false,
      };
      const { workspace, page } = await openWorkbench({ settings }, cleanups);

      // src/greeter.ts open, then split: the same file in two editor groups, the second one active.
      await page.keyboard.press('Control+P');
      await page.locator('.quick-input-widget input').fill('greeter.ts');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'greeter.ts' }).first().click();
      await page.locator('.tab .label-name', { hasText: 'greeter.ts' }).waitFor({ timeout: 30_000 });
      await runCommand(page, 'View: Split Editor');
      await page.locator('.editor-group-container').nth(1).locator('.tab').waitFor({ timeout: 30_000 });
      assert.deepEqual(await tabsByGroup(page), [['greeter.ts'], ['greeter.ts']]);

      // An untitled editor is named after the first 40 characters of its first line: the explanation's title.
      const title = `# ${basename(workspace)}: how this codebase works`.slice(0, 40);
      await explain(page, 2);
      const tabs = await tabsByGroup(page);
      t.diagnostic(`editor tabs by group: ${JSON.stringify(tabs)}`);
      assert.deepEqual(tabs, [['greeter.ts'], ['greeter.ts'], [title]]);

      // No editor open: the explanation opens in the one group there is.
      await runCommand(page, 'View: Revert and Close Editor');
      await runCommand(page, 'View: Close All Editor Groups');
      await page.locator('.tab').first().waitFor({ state: 'detached', timeout: 30_000 });
      await explain(page, 0);
      assert.deepEqual(await tabsByGroup(page), [[title]]);
    },
  );
});
