/**
 * The packaged .vsix, installed into code-server the way a user installs it, driven through the workbench
 * UI in Chromium: the Hearth view opens and its webview renders, the engine starts from inside the
 * package, and the explain command is in the command palette.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { repoRoot, requireRealVsCode } from './codeServer';
import { openHearthView, openWorkbench, tempFolder, type Cleanups } from './workbench';
import { runCommand } from './workbenchActions';

describe('packaged extension in code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'installs from the .vsix, opens the Hearth view, starts its engine and lists its commands',
    { timeout: 240_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const vsix = join(tempFolder('hearth-vsix-out-', cleanups), 'hearth.vsix');
      execFileSync(process.execPath, [join(repoRoot, 'scripts', 'package.mjs'), vsix], {
        cwd: repoRoot,
        stdio: 'pipe',
      });

      const { page } = await openWorkbench({ vsix }, cleanups);

      // The view container in the activity bar opens the chat webview, which starts the engine.
      const chat = await openHearthView(page);
      await chat.locator('#hearth-chat h1').waitFor({ timeout: 30_000 });
      assert.equal(await chat.locator('#hearth-chat h1').textContent(), 'Hearth');
      await chat.locator('.engine-state[data-state="ready"]').waitFor({ timeout: 60_000 });
      // No model is configured: the header and the status bar say so rather than "ready".
      assert.equal(await chat.locator('.engine-state').textContent(), 'No model loaded');
      const csp = await chat.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
      assert.match(csp ?? '', /^default-src 'none'; .*script-src 'nonce-[A-Za-z0-9+/=]{24}'/);

      const status = page.locator('.statusbar-item', { hasText: 'Hearth: no model' });
      await status.waitFor({ timeout: 30_000 });

      // The explain command is in the command palette. With no model it asks for one first; choosing none ends
      // in an error that offers Select Model.
      await runCommand(page, 'Hearth: Explain This Codebase');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Qwen3-4B-Instruct-2507-FP8' })
        .waitFor({ timeout: 30_000 });
      await page.keyboard.press('Escape');
      const error = page.locator('.notification-toast', { hasText: 'No model is chosen.' });
      await error.waitFor({ timeout: 15_000 });
      await error.locator('.monaco-button', { hasText: 'Select Model' }).waitFor();
    },
  );
});
