/**
 * The sidebar chat in code-server, driven through its webview in Chromium with a tiny synthetic model: answers
 * stream in and stop, the thinking toggle shows its decision, a follow-up's context line reports the prefix
 * cache, Retry replaces a turn, New chat clears, and a Thinking-2507 model's reasoning streams into the
 * thinking block. Answers are unbounded (hearth.chat.maxTokens 0), so every one ends by Stop.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { FrameLocator, Locator } from 'playwright-core';
import { makeTinyCheckpoint, thinkingVariant } from './checkpointFixtures';
import { requireRealVsCode, userSettings } from './codeServer';
import { openHearthView, openWorkbench, tempFolder, type Cleanups } from './workbench';
import { replaceUserSettings } from './workbenchActions';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function textOf(locator: Locator): Promise<string> {
  return (await locator.textContent()) ?? '';
}

/** Waits until `probe` is true, polling. */
async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.`);
    await sleep(50);
  }
}

/** Asks a question with Enter and returns the new turn, once it is streaming. */
async function ask(chat: FrameLocator, question: string, index: number): Promise<Locator> {
  await chat.locator('textarea.prompt').fill(question);
  await chat.locator('textarea.prompt').press('Enter');
  const turn = chat.locator('article.turn').nth(index);
  await turn.waitFor({ timeout: 30_000 });
  return turn;
}

/**
 * Sees `part` of a streaming turn grow, then presses Stop: the view ends the turn as stopped at once, and the
 * extension's end of the turn adds its stats to the context line.
 */
async function seeStreamThenStop(chat: FrameLocator, turn: Locator, part: string): Promise<void> {
  let first = '';
  await until(`${part} text`, async () => (first = await textOf(turn.locator(part))).length > 0, 60_000);
  await until(
    `${part} to grow while streaming`,
    async () =>
      (await textOf(turn.locator(part))).length > first.length &&
      (await turn.getAttribute('class'))!.includes('streaming'),
  );
  await chat.locator('button.send.stop').click();
  await turn.locator('.context-line', { hasText: 'stopped' }).waitFor({ timeout: 5_000 });
  await turn.locator('.context-line', { hasText: /context tokens .* · stopped$/ }).waitFor({ timeout: 30_000 });
}

describe('chat view in code-server (VS Code 1.100.3)', () => {
  const cleanups: Cleanups = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  it('streams, stops, thinks, reuses the cache, retries and starts over', { timeout: 240_000 }, async (t) => {
    if (!requireRealVsCode(t)) return;
    const root = tempFolder('hearth-chat-ui-', cleanups);
    const checkpoint = makeTinyCheckpoint(join(root, 'tiny-qwen3'));
    const settings = {
      'hearth.model.path': checkpoint,
      'hearth.cacheDir': join(root, 'cache'),
      'hearth.chat.maxTokens': 0,
    };
    const { page } = await openWorkbench({ settings }, cleanups);
    const chat = await openHearthView(page);
    // Opening the view loads the configured model.
    await chat.locator('.engine-state[data-state="ready"]').waitFor({ timeout: 60_000 });
    await chat.locator('.model', { hasText: 'tiny-qwen3' }).waitFor({ timeout: 60_000 });

    // An answer streams in, and Stop ends it as stopped, with the context line.
    const first = await ask(chat, 'What does Greeter.greet do in @src/greeter.ts?', 0);
    await seeStreamThenStop(chat, first, '.answer');
    assert.match(
      await textOf(first.locator('.context-line')),
      /^\d+ files? whole, \d+ outlined(, \d+ listed)? · [\d,]+ context tokens/,
    );

    // Thinking on: the turn says so; the follow-up's prompt comes mostly from the prefix cache.
    await chat.locator('button.segment[data-mode="on"]').click();
    const second = await ask(chat, 'Refactor Greeter to count greetings per name.', 1);
    await seeStreamThenStop(chat, second, '.answer');
    assert.equal(await textOf(second.locator('.thinking-note')), 'Thinking (thinking on)');
    const usage = /Prompt ([\d,]+) tokens, ([\d,]+) from the prefix cache/.exec(
      (await second.locator('.context-line').getAttribute('title')) ?? '',
    );
    assert.ok(usage, 'the context line has no usage tooltip');
    const [prompt, cached] = [Number(usage[1].replace(/,/g, '')), Number(usage[2].replace(/,/g, ''))];
    assert.ok(cached >= 0.5 * prompt, `only ${cached} of ${prompt} prompt tokens were cached`);
    t.diagnostic(`follow-up after a stopped answer: ${cached} of ${prompt} prompt tokens cached`);

    // Retry replaces the turn where it stands.
    await second.locator('.turn-actions button', { hasText: 'Retry' }).click();
    await until('the retried turn to stream', async () => (await chat.locator('article.turn.streaming').count()) === 1);
    assert.equal(await chat.locator('article.turn').count(), 2);
    await seeStreamThenStop(chat, chat.locator('article.turn').nth(1), '.answer');

    // New chat clears the conversation.
    await chat.locator('button.new-chat').click();
    await until('an empty transcript', async () => (await chat.locator('article.turn').count()) === 0);

    // A Thinking-2507 model always thinks: its reasoning streams into the thinking block.
    await replaceUserSettings(
      page,
      userSettings({
        ...settings,
        'hearth.model.path': thinkingVariant(checkpoint, join(root, 'tiny-qwen3-thinking')),
      }),
    );
    await chat.locator('.model', { hasText: 'tiny-qwen3-thinking' }).waitFor({ timeout: 60_000 });
    const thinking = await ask(chat, 'Where does the program start?', 0);
    await chat.locator('.thinking-label', { hasText: 'Thinking… (model always thinks)' }).waitFor({ timeout: 30_000 });
    await seeStreamThenStop(chat, thinking, '.thinking-text');
    assert.equal(await textOf(thinking.locator('.answer')), '');
  });
});
