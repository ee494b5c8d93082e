/** What a user does in the workbench, as Playwright steps: run a command, change the user settings. */
import type { Page } from 'playwright-core';

/** Runs a command from the command palette by its full title, e.g. "Hearth: Explain This Codebase". */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 15_000 });
  await row.click();
}

/**
 * Replaces the user settings through "Open User Settings (JSON)" and saves them, as a user would (code-server
 * does not pick up a settings file rewritten behind its back).
 */
export async function replaceUserSettings(page: Page, settings: Record<string, unknown>): Promise<void> {
  await runCommand(page, 'Preferences: Open User Settings (JSON)');
  const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
  await editor.waitFor();
  await editor.click();
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(JSON.stringify(settings));
  // Whatever auto-closing added after the cursor goes.
  await page.keyboard.press('Control+Shift+End');
  await page.keyboard.press('Delete');
  await page.keyboard.press('Control+S');
  await page.keyboard.press('Control+W');
}
