/**
 * The model's state as the chat header and the status bar show it, in code-server with Chromium: no model, then
 * a checkpoint loading (with the conversion's percentage) and ready; a folder that is not a checkpoint, chosen
 * (before the engine started or after) or configured before the start, is an error in both at once, with Select
 * model, and the log holds that error.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FrameLocator, Page } from 'playwright-core';
import { makeTinyCheckpoint } from './checkpointFixtures';
import { requireRealVsCode, userSettings } from './codeServer';
import { hearthViewButton, openHearthView, openWorkbench, tempFolder, type Cleanups } from './workbench';
import { replaceUserSettings, runCommand } from './workbenchActions';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Status bar items of Hearth: VS Code gives each the id "<extension id>.<item id>". */
const statusItem = '[id="hearth-dev.hearth.hearth.engineStatus"]';
const completionItem = '[id="hearth-dev.hearth.hearth.completionStatus"]';

/**
 * Records every text the chat header's state and the status bar item show from now on (a load of the tiny model
 * is too quick to poll for), in the frame of each.
 */
async function recordStates(page: Page, chat: FrameLocator): Promise<void> {
  // Expressions as text (Playwright evaluates a string as an expression): functions compiled by tsx would call
  // its __name helper, which the page does not have.
  const recorder = (root: string, read: string) =>
    `(() => { const root = ${root}; const read = () => ${read}; const seen = [read()]; globalThis.hearthSeen = seen;
      new MutationObserver(() => { if (seen[seen.length - 1] !== read()) seen.push(read()); })
        .observe(root, { childList: true, characterData: true, subtree: true, attributes: true }); })()`;
  await chat
    .locator('.engine-state')
    .evaluate(recorder("document.querySelector('.engine-state')", "root.textContent ?? ''"));
  await page.evaluate(
    recorder(
      "document.querySelector('.part.statusbar')",
      `(document.querySelector('${statusItem}')?.textContent ?? '').trim()`,
    ),
  );
}

async function recordedStates(page: Page, chat: FrameLocator): Promise<{ header: string[]; statusBar: string[] }> {
  return {
    header: await chat.locator('.engine-state').evaluate<string[], undefined>('globalThis.hearthSeen'),
    statusBar: await page.evaluate<string[]>('globalThis.hearthSeen'),
  };
}

/** The extension's log channel as code-server writes it to disk: <its logs>/<extension id>/Hearth.log. */
function hearthLog(home: string): string | undefined {
  let files: string[];
  try {
    files = readdirSync(home, { recursive: true, encoding: 'utf8' });
  } catch {
    return undefined; // not written yet, or a file went away during the walk
  }
  const hearth = files.filter((path) => path.endsWith(join('hearth-dev.hearth', 'Hearth.log')));
  assert.ok(hearth.length <= 1, `more than one Hearth log: ${hearth.join(', ')}`);
  return hearth[0] === undefined ? undefined : readFileSync(join(home, hearth[0]), 'utf8');
}

/** The error a folder with no config.json gets: as shown (header tooltip), and its cause as the log adds it. */
function notACheckpointError(folder: string): { reason: string; shown: string; logged: string } {
  const reason = `${join(folder, 'config.json')}: is missing: this is not a Hugging Face checkpoint folder`;
  const hint = 'Choose the Hugging Face checkpoint folder: the one that holds config.json and the .safetensors files.';
  const shown = `${reason}. ${hint}`;
  return { reason, shown, logged: `[error] ${shown} (ModelNotFound: ${reason}; hint: ${hint})` };
}

/** The header and the status bar show `folder`'s error, with Select model, and a notification offers the fix. */
async function expectModelError(page: Page, chat: FrameLocator, folder: string): Promise<void> {
  const { reason, shown } = notACheckpointError(folder);
  await chat.locator('.engine-state[data-state="failed"]', { hasText: /^Model error$/ }).waitFor({ timeout: 30_000 });
  assert.equal(await chat.locator('.engine-state').getAttribute('title'), shown);
  assert.equal(await chat.locator('button', { hasText: 'Select model' }).isVisible(), true);
  await page
    .locator(statusItem)
    .filter({ hasText: /^\s*Hearth: model error\s*$/ })
    .waitFor({ timeout: 30_000 });
  const toast = page.locator('.notification-toast', { hasText: `Hearth: ${reason}` });
  await toast.waitFor({ timeout: 30_000 });
  await toast.locator('.monaco-button', { hasText: 'Select Model' }).waitFor();
}

async function waitForLogLine(home: string, ending: string): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const lines = (hearthLog(home) ?? '').split('\n').filter((line) => line !== '');
    if (lines.some((line) => line.endsWith(ending))) return lines;
    if (Date.now() > deadline) throw new Error(`The Hearth log has no line ending ${ending}:\n${lines.join('\n')}`);
    await sleep(200);
  }
}

describe('model states in code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it(
    'header and status bar: no model, loading with %, ready; a bad path is an error at once, and logged',
    { timeout: 240_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-states-ui-', cleanups);
      const checkpoint = makeTinyCheckpoint(join(root, 'tiny-qwen3'));
      const notACheckpoint = join(root, 'not-a-model');
      mkdirSync(notACheckpoint);
      // A fresh cache: the first load converts the weights, with its percentage.
      const settings = { 'hearth.cacheDir': join(root, 'cache'), 'hearth.chat.maxTokens': 8 };
      const { server, page } = await openWorkbench({ settings }, cleanups);
      const chat = await openHearthView(page);
      const status = page.locator(statusItem);

      // No model configured: both say so.
      await chat
        .locator('.engine-state[data-state="ready"]', { hasText: 'No model loaded' })
        .waitFor({ timeout: 60_000 });
      await status.filter({ hasText: 'Hearth: no model' }).waitFor({ timeout: 30_000 });

      // A checkpoint is chosen and the first question loads it: loading with the conversion's %, then ready. The
      // completions item turning off in the same save says the extension host has the new settings.
      const chosen = { ...settings, 'hearth.completion.enabled': false, 'hearth.model.path': checkpoint };
      await replaceUserSettings(page, userSettings(chosen));
      await page.locator(`${completionItem} .codicon-circle-slash`).waitFor({ timeout: 30_000 });
      await recordStates(page, chat);
      await chat.locator('textarea.prompt').fill('What does greet do?');
      await chat.locator('textarea.prompt').press('Enter');
      await chat.locator('.model', { hasText: 'tiny-qwen3' }).waitFor({ timeout: 60_000 });
      await chat.locator('article.turn:not(.streaming) .context-line').waitFor({ timeout: 60_000 });
      // Ready, or ready with the repository prefix computed in the background since the load.
      const ready = /^(Ready|repository [\d,]+ tokens · ready)$/;
      await chat.locator('.engine-state[data-state="ready"]', { hasText: ready }).waitFor({ timeout: 60_000 });
      await status
        .filter({ hasText: /^\s*tiny-qwen3( · [\d.]+ tok\/s)?( · repository [\d,]+ tokens · ready)?\s*$/ })
        .waitFor({ timeout: 30_000 });
      const loaded = await recordedStates(page, chat);
      t.diagnostic(`header: ${loaded.header.join(' → ')}\nstatus bar: ${loaded.statusBar.join(' → ')}`);
      // Indexing the workspace and preparing the repository prefix may come and go around the load; the model's
      // own states are exactly these: none, loading, then ready for good.
      const header = loaded.header
        .filter((text) => !text.startsWith('Indexing the workspace…') && !text.startsWith('preparing repository'))
        .filter((text, index, all) => text !== all[index - 1]);
      assert.equal(header[0], 'No model loaded');
      const readyFrom = header.findIndex((text) => ready.test(text));
      assert.ok(readyFrom > 1, `the header showed no load before ready: ${header.join(' → ')}`);
      for (const text of header.slice(readyFrom)) assert.match(text, ready);
      const loading = header.slice(1, readyFrom);
      for (const text of loading) assert.match(text, /^Loading tiny-qwen3…( \d{1,3}%)?$/);
      const percents = loading
        .map((text) => Number(/ (\d+)%$/.exec(text)?.[1] ?? -1))
        .filter((percent) => percent >= 0);
      assert.ok(percents.length > 0, `the header showed no percentage: ${loading.join(' → ')}`);
      assert.deepEqual(
        percents,
        [...percents].sort((a, b) => a - b),
        'the percentage went back',
      );
      assert.ok(percents.at(-1)! <= 100);
      assert.equal(loaded.statusBar[0], 'Hearth: no model');
      assert.ok(
        loaded.statusBar.some((text) => /^Hearth: loading tiny-qwen3( \d{1,3}%)?$/.test(text)),
        `the status bar showed no load: ${loaded.statusBar.join(' → ')}`,
      );
      assert.ok(!loaded.statusBar.includes('Hearth: ready'), 'the status bar said ready');

      // A folder that is not a checkpoint: an error in the header and the status bar at once, no question asked.
      await replaceUserSettings(page, userSettings({ ...chosen, 'hearth.model.path': notACheckpoint }));
      await expectModelError(page, chat, notACheckpoint);
      assert.equal(await chat.locator('article.turn').count(), 1, 'a question was needed to show the error');

      // The log holds the error as shown, with its cause; each line has one timestamp, the channel's.
      const lines = await waitForLogLine(server.home, notACheckpointError(notACheckpoint).logged);
      const stamp = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \[(trace|debug|info|warning|error)\] /;
      for (const line of lines) {
        assert.match(line, stamp);
        assert.doesNotMatch(line.replace(stamp, ''), /\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d/, 'a second timestamp');
      }
    },
  );

  it(
    'a bad path configured before the start: an error in header and status bar on opening the chat, and logged',
    { timeout: 180_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-states-start-', cleanups);
      const notACheckpoint = join(root, 'not-a-model');
      mkdirSync(notACheckpoint);
      const settings = { 'hearth.cacheDir': join(root, 'cache'), 'hearth.model.path': notACheckpoint };
      const { server, page } = await openWorkbench({ settings }, cleanups);
      const chat = await openHearthView(page);

      // Opening the chat loads the configured model: its error shows in both, with the fix, before any question.
      await expectModelError(page, chat, notACheckpoint);
      assert.equal(await chat.locator('article.turn').count(), 0);
      await waitForLogLine(server.home, notACheckpointError(notACheckpoint).logged);
    },
  );

  it(
    'a bad path chosen before the engine started: an error in the status bar at once, in the header on opening',
    { timeout: 180_000 },
    async (t) => {
      if (!requireRealVsCode(t)) return;
      const root = tempFolder('hearth-states-idle-', cleanups);
      const notACheckpoint = join(root, 'not-a-model');
      mkdirSync(notACheckpoint);
      const settings = { 'hearth.cacheDir': join(root, 'cache'), 'hearth.completion.enabled': false };
      const { server, page } = await openWorkbench({ settings }, cleanups);

      // Hearth is active (Show Logs activates it) and its engine has not started: nothing has needed it.
      await page.locator(hearthViewButton).waitFor({ timeout: 30_000 }); // the extension's contributions are in
      await runCommand(page, 'Hearth: Show Logs');
      const status = page.locator(statusItem);
      await status.filter({ hasText: /^\s*Hearth\s*$/ }).waitFor({ timeout: 30_000 });
      await replaceUserSettings(page, userSettings({ ...settings, 'hearth.model.path': notACheckpoint }));
      await status.filter({ hasText: /^\s*Hearth: model error\s*$/ }).waitFor({ timeout: 30_000 });
      await waitForLogLine(server.home, notACheckpointError(notACheckpoint).logged);

      const chat = await openHearthView(page);
      await expectModelError(page, chat, notACheckpoint);
      assert.equal(await chat.locator('article.turn').count(), 0);
    },
  );
});
