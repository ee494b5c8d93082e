/** What the built chat webview posts to the extension, driven through its real buttons and keys in Chromium. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useChatHarness } from './chatPage';
import { stats, turn } from './chatFixtures';

describe('chat webview controls (Chromium)', () => {
  const open = useChatHarness();

  it(
    'sends on Enter with the thinking mode, only when the engine is ready, once per question',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const prompt = chat.page.getByRole('textbox', { name: 'Ask Hearth' });
      const send = chat.page.getByRole('button', { name: 'Send (Enter)' });
      await chat.deliver({ type: 'engineState', state: 'starting' });
      await prompt.fill('Explain @src/main.ts');
      await prompt.press('Enter');
      assert.deepEqual(await chat.takePosted(), []);
      assert.equal(await prompt.inputValue(), 'Explain @src/main.ts');
      assert.equal(await send.isDisabled(), true);

      await chat.deliver({ type: 'engineState', state: 'ready' });
      await prompt.press('Shift+Enter');
      await prompt.pressSequentially('and #selection');
      assert.equal(await prompt.inputValue(), 'Explain @src/main.ts\nand #selection');
      await prompt.press('Enter');
      await prompt.fill('again');
      await prompt.press('Enter'); // no turn has started yet: not sent twice
      assert.deepEqual(await chat.takePosted(), [
        { type: 'ask', text: 'Explain @src/main.ts\nand #selection', thinking: 'auto' },
      ]);

      await chat.deliver(
        { type: 'turnStarted', turn: turn('t1', 'Explain') },
        { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
      );
      await chat.page.getByRole('button', { name: /^Thinking off/ }).click();
      await send.click();
      assert.deepEqual(await chat.takePosted(), [
        { type: 'setThinking', mode: 'off' },
        { type: 'ask', text: 'again', thinking: 'off' },
      ]);
      assert.equal(await prompt.inputValue(), '');
    },
  );

  it(
    'turns Send into Stop while a turn streams; Stop and Escape post stop with its id and the answer shown, and end the turn at once',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const prompt = chat.page.getByRole('textbox', { name: 'Ask Hearth' });
      const send = chat.page.getByRole('button', { name: 'Send (Enter)' });
      await chat.deliver(
        { type: 'engineState', state: 'ready' },
        { type: 'turnStarted', turn: turn('turn-7', 'Long answer please') },
        { type: 'turnDelta', turnId: 'turn-7', answer: 'The **first** part' },
      );
      const stop = chat.page.getByRole('button', { name: 'Stop the answer (Escape)' });
      assert.equal(await stop.textContent(), 'Stop');
      await prompt.fill('typing while it streams is fine');
      await stop.click();
      // The extension keeps what was shown: the Markdown source's 18 characters.
      assert.deepEqual(await chat.takePosted(), [{ type: 'stop', turnId: 'turn-7', answerLength: 18 }]);
      assert.equal(
        await chat.page.locator('article[data-turn-id="turn-7"] .answer').innerHTML(),
        '<p>The <strong>first</strong> part</p>\n',
      );
      assert.equal(await send.textContent(), 'Send');
      assert.equal(await stop.count(), 0);
      assert.equal(await chat.page.locator('article[data-turn-id="turn-7"] .context-line').textContent(), 'stopped');

      await prompt.press('Enter');
      await chat.deliver({ type: 'turnStarted', turn: turn('turn-8', 'typing while it streams is fine') });
      await prompt.press('Escape');
      await prompt.press('Escape'); // already stopped: nothing more to post
      assert.deepEqual(await chat.takePosted(), [
        { type: 'ask', text: 'typing while it streams is fine', thinking: 'auto' },
        { type: 'stop', turnId: 'turn-8', answerLength: 0 },
      ]);
      // The extension's own end of the stopped turns brings their stats; the text stays as it was.
      await chat.deliver(
        { type: 'turnFinished', turnId: 'turn-7', finishReason: 'cancelled' },
        { type: 'turnFinished', turnId: 'turn-8', finishReason: 'cancelled', stats },
      );
      assert.equal(
        await chat.page.locator('article[data-turn-id="turn-8"] .context-line').textContent(),
        '12 files whole, 30 outlined · 48,210 context tokens · prompt 49,020 tokens (47,100 cached) · prefill 412 tok/s · decode 9.8 tok/s · first token 1.2 s · stopped',
      );
      assert.equal(await send.textContent(), 'Send');
    },
  );

  it(
    'offers Continue on the last answer that stopped at the token limit and continues it in place',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      await chat.deliver(
        { type: 'engineState', state: 'ready' },
        {
          type: 'history',
          thinking: 'auto',
          turns: [
            turn('a', 'First', { answer: 'cut', finishReason: 'length' }),
            turn('b', 'Second', { answer: 'The steps:\n\n1. one\n2. tw', finishReason: 'length', stats }),
          ],
        },
      );
      const continueIn = (id: string) =>
        chat.page.locator(`article[data-turn-id="${id}"]`).getByRole('button', { name: /^Continue/ });
      assert.equal(await continueIn('a').isVisible(), false);
      await continueIn('b').click();
      assert.deepEqual(await chat.takePosted(), [{ type: 'continue', turnId: 'b' }]);
      // The extension restarts the turn with the answer so far, then streams the rest into it.
      await chat.deliver(
        { type: 'turnStarted', turn: turn('b', 'Second', { answer: 'The steps:\n\n1. one\n2. tw' }) },
        { type: 'turnDelta', turnId: 'b', answer: 'o\n3. three' },
        { type: 'turnFinished', turnId: 'b', finishReason: 'stop', stats },
      );
      const answer = chat.page.locator('article[data-turn-id="b"] .answer');
      assert.deepEqual(await answer.locator('li').allTextContents(), ['one', 'two', 'three']);
      assert.equal(await continueIn('b').count(), 0);
    },
  );

  it('posts retry, newChat, setThinking and showLogs from their buttons', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    await chat.deliver({
      type: 'history',
      thinking: 'auto',
      turns: [
        turn('a', 'First', { answer: 'ok', finishReason: 'stop', stats }),
        turn('b', 'Second', { finishReason: 'error', error: 'Engine crashed' }),
      ],
    });
    const turnB = chat.page.locator('article[data-turn-id="b"]');
    await turnB.getByRole('button', { name: 'Retry: ask this question again' }).click();
    await turnB.getByRole('button', { name: 'Show the Hearth logs' }).click();
    await chat.page
      .locator('article[data-turn-id="a"]')
      .getByRole('button', { name: 'Retry: ask this question again' })
      .click();
    await chat.page.getByRole('button', { name: 'Start a new chat' }).click();
    const toggle = chat.page.getByRole('group', { name: 'Thinking' });
    await toggle.getByRole('button', { name: /^Thinking on/ }).click();
    await toggle.getByRole('button', { name: /^Thinking on/ }).click(); // already on: nothing to post
    // Keyboard: Tab from "On" reaches "Off", Space presses it.
    await chat.page.keyboard.press('Tab');
    await chat.page.keyboard.press('Space');
    assert.deepEqual(await chat.takePosted(), [
      { type: 'retry', turnId: 'b' },
      { type: 'showLogs' },
      { type: 'retry', turnId: 'a' },
      { type: 'newChat' },
      { type: 'setThinking', mode: 'on' },
      { type: 'setThinking', mode: 'off' },
    ]);
    assert.equal(await toggle.locator('[aria-pressed="true"]').textContent(), 'Off');
    // A streaming turn has no Retry yet.
    await chat.deliver({ type: 'turnStarted', turn: turn('c', 'Third') });
    assert.equal(
      await chat.page.locator('article[data-turn-id="c"]').getByRole('button', { name: /Retry/ }).count(),
      0,
    );
  });

  it(
    'posts copyCode, insertCode and applyCode with the exact code and the fence language',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const tsCode =
        'const html = "<b>&amp;</b>";\n\tif (a < b && c > d) {\n    run();\n  }\n\n// trailing blank line above';
      const plainCode = '$ npm test   # spaces   kept';
      const answer = `Change it:\n\n\`\`\`ts\n${tsCode}\n\`\`\`\n\nThen run:\n\n\`\`\`\n${plainCode}\n\`\`\`\n`;
      await chat.deliver(
        { type: 'turnStarted', turn: turn('t1', 'Fix it') },
        { type: 'turnDelta', turnId: 't1', answer },
        { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
      );
      const blocks = chat.page.locator('article[data-turn-id="t1"] .code-block');
      assert.equal(await blocks.count(), 2);
      assert.equal(await blocks.nth(0).locator('.code-language').textContent(), 'ts');
      for (const block of [blocks.nth(0), blocks.nth(1)]) {
        await block.getByRole('button', { name: 'Copy code' }).click();
        await block.getByRole('button', { name: 'Insert code at the cursor' }).click();
        await block.getByRole('button', { name: /^Apply code/ }).click();
      }
      assert.deepEqual(await chat.takePosted(), [
        { type: 'copyCode', code: tsCode },
        { type: 'insertCode', code: tsCode },
        { type: 'applyCode', code: tsCode, language: 'ts' },
        { type: 'copyCode', code: plainCode },
        { type: 'insertCode', code: plainCode },
        { type: 'applyCode', code: plainCode, language: '' },
      ]);
    },
  );
});
