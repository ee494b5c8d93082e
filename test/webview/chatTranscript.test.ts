/** The transcript of the built chat webview in Chromium: streaming, thinking block, context line, history, saved state. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useChatHarness } from './chatPage';
import { chunks, stats, turn } from './chatFixtures';

const answerMarkdown = [
  '# Plan',
  '',
  'First, **read** `main.ts` and the [docs](https://example.com/docs):',
  '',
  '```ts',
  'const limit: number = 10;',
  'export function clamp(value: number): number {',
  '  return Math.min(value, limit);',
  '}',
  '```',
  '',
  '| file | role |',
  '|------|------|',
  '| a.ts | entry |',
  '',
  '1. one',
  '2. two',
  '',
].join('\n');

describe('chat webview transcript (Chromium)', () => {
  const open = useChatHarness();

  it(
    'renders answer deltas as they stream, and the final DOM equals the whole text rendered at once',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const answerOf = (id: string) => chat.page.locator(`article[data-turn-id="${id}"] .answer`);
      await chat.deliver(
        { type: 'engineState', state: 'ready' },
        { type: 'turnStarted', turn: turn('t1', 'How do I clamp?') },
      );

      const pieces = chunks(answerMarkdown, 23);
      await chat.deliver({ type: 'turnDelta', turnId: 't1', answer: pieces[0] });
      await chat.nextFrame();
      assert.equal(await answerOf('t1').locator('h1').textContent(), 'Plan');
      assert.equal(await answerOf('t1').locator('table').count(), 0);

      const seen: string[] = [];
      for (const piece of pieces.slice(1)) {
        await chat.deliver({ type: 'turnDelta', turnId: 't1', answer: piece });
        await chat.nextFrame();
        seen.push((await answerOf('t1').textContent()) ?? '');
      }
      // Each frame shows at least as much as the one before, and the code block was visible before the answer ended.
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i].length >= seen[i - 1].length, `frame ${i} shrank`);
      assert.ok(seen.some((text, i) => i < seen.length - 1 && text.includes('const limit')));
      await chat.deliver({ type: 'turnFinished', turnId: 't1', finishReason: 'stop', stats });
      const streamed = await answerOf('t1').innerHTML();

      await chat.deliver(
        { type: 'turnStarted', turn: turn('t2', 'Again, at once') },
        { type: 'turnDelta', turnId: 't2', answer: answerMarkdown },
        { type: 'turnFinished', turnId: 't2', finishReason: 'stop', stats },
      );
      assert.equal(streamed, await answerOf('t2').innerHTML());
      assert.equal(await answerOf('t1').locator('pre code.language-ts .hljs-keyword').first().textContent(), 'const');
      assert.equal(await answerOf('t1').locator('ol > li').count(), 2);
      assert.equal(await answerOf('t1').locator('a').getAttribute('href'), 'https://example.com/docs');

      // A finished turn is never rendered again: late deltas are ignored and its nodes stay the same objects.
      await chat.page.evaluate(() => {
        (window as unknown as { firstNode: Node }).firstNode = document.querySelector(
          'article[data-turn-id="t1"] .answer h1',
        )!;
      });
      await chat.deliver(
        { type: 'turnDelta', turnId: 't1', answer: 'late text' },
        { type: 'turnStarted', turn: turn('t3', 'Next') },
        { type: 'turnDelta', turnId: 't3', answer: 'more' },
      );
      await chat.nextFrame();
      assert.equal(
        await chat.page.evaluate(() => (window as unknown as { firstNode: Node }).firstNode.isConnected),
        true,
      );
      assert.equal(await answerOf('t1').innerHTML(), streamed);
      assert.deepEqual(chat.errors, []);
    },
  );

  it(
    'keeps the thinking block open while reasoning streams and collapses it when the answer starts',
    { timeout: 20_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const details = chat.page.locator('article[data-turn-id="t1"] details.thinking');
      const isOpen = () => details.evaluate((node) => (node as HTMLDetailsElement).open);
      await chat.deliver(
        { type: 'turnStarted', turn: turn('t1', 'Extract the parser into its own module') },
        { type: 'turnThinking', turnId: 't1', thinking: { enabled: true, decidedBy: 'auto' } },
        { type: 'turnDelta', turnId: 't1', reasoning: 'Let me look at ' },
      );
      await chat.nextFrame();
      assert.equal(await isOpen(), true);
      assert.equal(await details.locator('summary').textContent(), 'Thinking… (auto: refactor request)');
      await chat.deliver({ type: 'turnDelta', turnId: 't1', reasoning: 'the callers first.' });
      await chat.nextFrame();
      assert.equal(await details.locator('.thinking-text').textContent(), 'Let me look at the callers first.');
      assert.equal(await isOpen(), true);

      await chat.deliver({ type: 'turnDelta', turnId: 't1', answer: 'Here is the plan.' });
      await chat.nextFrame();
      assert.equal(await isOpen(), false);
      assert.equal(await details.locator('summary').textContent(), 'Thinking (auto: refactor request)');

      // Reopened by the user (keyboard: the summary is focusable), it stays open while the answer goes on.
      await details.locator('summary').focus();
      await chat.page.keyboard.press('Enter');
      await chat.deliver(
        { type: 'turnDelta', turnId: 't1', answer: ' More.' },
        { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
      );
      await chat.nextFrame();
      assert.equal(await isOpen(), true);
    },
  );

  it('says what a turn waits for until its first text arrives', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    const progress = chat.page.locator('article[data-turn-id="t1"] .turn-progress');
    await chat.deliver(
      { type: 'turnStarted', turn: turn('t1', 'Where does the program start?') },
      { type: 'turnProgress', turnId: 't1', text: 'Gathering the repository context…' },
    );
    await chat.nextFrame();
    assert.equal(await progress.textContent(), 'Gathering the repository context…');
    await chat.deliver({ type: 'turnProgress', turnId: 't1', text: 'Reading the prompt…' });
    await chat.nextFrame();
    assert.equal(await progress.textContent(), 'Reading the prompt…');
    assert.equal(await progress.isVisible(), true);
    await chat.deliver({ type: 'turnDelta', turnId: 't1', answer: 'In `main.ts`.' });
    await chat.nextFrame();
    assert.equal(await progress.isHidden(), true);
  });

  it('says when and why the model did not think', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    const block = chat.page.locator('article[data-turn-id="t1"] .thinking-block');
    await chat.deliver({ type: 'turnStarted', turn: turn('t1', 'What is 2+2?') });
    await chat.nextFrame();
    assert.equal(await block.isHidden(), true);
    await chat.deliver(
      { type: 'turnThinking', turnId: 't1', thinking: { enabled: false, decidedBy: 'model' } },
      { type: 'turnDelta', turnId: 't1', answer: '4' },
    );
    await chat.nextFrame();
    assert.equal(await block.locator('details').isHidden(), true);
    assert.equal(await block.locator('.thinking-note').textContent(), 'No thinking (model never thinks)');
  });

  it('writes the context line from TurnStats and says how a turn ended', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    await chat.deliver(
      { type: 'turnStarted', turn: turn('stop', 'a') },
      { type: 'turnFinished', turnId: 'stop', finishReason: 'stop', stats },
      { type: 'turnStarted', turn: turn('length', 'b') },
      {
        type: 'turnFinished',
        turnId: 'length',
        finishReason: 'length',
        stats: {
          ...stats,
          filesWhole: 1,
          filesListed: 250,
          cachedTokens: 0,
          timeToFirstTokenMs: 640,
          decodeTokensPerSecond: 12,
        },
      },
      { type: 'turnStarted', turn: turn('fitted', 'e') },
      {
        type: 'turnFinished',
        turnId: 'fitted',
        finishReason: 'stop',
        stats: { ...stats, historyTokens: 3_210, turnsLeftOut: 2 },
      },
      { type: 'turnStarted', turn: turn('one-computed', 'f') },
      {
        type: 'turnFinished',
        turnId: 'one-computed',
        finishReason: 'stop',
        // The engine's counts as the issue saw them: more cached than the prompt, one token computed.
        stats: {
          ...stats,
          contextTokens: 20_477,
          promptTokens: 20_586,
          cachedTokens: 20_600,
          prefillTokensPerSecond: 12,
        },
      },
      { type: 'turnStarted', turn: turn('fifteen-computed', 'g') },
      {
        type: 'turnFinished',
        turnId: 'fifteen-computed',
        finishReason: 'stop',
        stats: { ...stats, promptTokens: 1_015, cachedTokens: 1_000, prefillTokensPerSecond: 150 },
      },
      { type: 'turnStarted', turn: turn('cancelled', 'c') },
      { type: 'turnFinished', turnId: 'cancelled', finishReason: 'cancelled' },
      { type: 'turnStarted', turn: turn('error', 'd') },
      { type: 'turnFinished', turnId: 'error', finishReason: 'error', error: 'The engine stopped (exit code 3).' },
    );
    const line = (id: string) => chat.page.locator(`article[data-turn-id="${id}"] .context-line`);
    assert.equal(
      await line('stop').textContent(),
      '12 files whole, 30 outlined · 48,210 context tokens · prompt 49,020 tokens (47,100 cached) · prefill 412 tok/s · decode 9.8 tok/s · first token 1.2 s',
    );
    assert.equal(
      await line('stop').getAttribute('title'),
      'Prompt 49,020 tokens, 47,100 from the prefix cache; answer 310 tokens',
    );
    assert.equal(
      await line('length').textContent(),
      '1 file whole, 30 outlined, 250 listed · 48,210 context tokens · prompt 49,020 tokens · prefill 412 tok/s · decode 12.0 tok/s · first token 640 ms · stopped at the token limit',
    );
    assert.equal(
      await line('fitted').textContent(),
      '12 files whole, 30 outlined · 48,210 context tokens · history 3,210 tokens · 2 earlier turns left out to fit the context · prompt 49,020 tokens (47,100 cached) · prefill 412 tok/s · decode 9.8 tok/s · first token 1.2 s',
    );
    assert.equal(
      await line('one-computed').textContent(),
      '12 files whole, 30 outlined · 20,477 context tokens · prompt 20,586 tokens (20,586 cached) · decode 9.8 tok/s · first token 1.2 s',
    );
    assert.equal(
      await line('one-computed').getAttribute('title'),
      'Prompt 20,586 tokens, 20,586 from the prefix cache; answer 310 tokens',
    );
    assert.equal(
      await line('fifteen-computed').textContent(),
      '12 files whole, 30 outlined · 48,210 context tokens · prompt 1,015 tokens (1,000 cached) · decode 9.8 tok/s · first token 1.2 s',
    );
    assert.equal(await line('cancelled').textContent(), 'stopped');
    assert.equal(await line('error').count(), 0);
    assert.equal(
      await chat.page.locator('article[data-turn-id="error"] .turn-error').textContent(),
      'The engine stopped (exit code 3).',
    );
  });

  it('shows the model and the engine state in the header', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    const header = chat.page.locator('header.chat-header');
    assert.equal(await header.locator('h1').textContent(), 'Hearth');
    assert.equal(await header.locator('.model').textContent(), 'No model');
    // A ready engine without a model is not shown as ready; a load or indexing in progress is shown instead.
    await chat.deliver({ type: 'engineState', state: 'ready' });
    assert.equal(await header.locator('.engine-state').textContent(), 'No model loaded');
    await chat.deliver({ type: 'activity', activity: { text: 'Loading tiny-qwen3… 45%' } });
    assert.equal(await header.locator('.engine-state').textContent(), 'Loading tiny-qwen3… 45%');
    await chat.deliver({ type: 'activity', activity: null });
    assert.equal(await header.locator('.engine-state').textContent(), 'No model loaded');
    // A model that cannot be served says so at once, with the action that fixes it.
    const reason = 'config.json: is missing: this is not a Hugging Face checkpoint folder.';
    await chat.deliver({ type: 'modelError', message: reason });
    assert.equal(await header.locator('.engine-state').textContent(), 'Model error');
    assert.equal(await header.locator('.engine-state').getAttribute('title'), reason);
    await header.getByRole('button', { name: /^Select a model/ }).click();
    assert.deepEqual(await chat.takePosted(), [{ type: 'selectModel' }]);
    await chat.deliver({ type: 'modelError', message: null });
    assert.equal(await header.locator('.engine-state').textContent(), 'No model loaded');
    assert.equal(await header.getByRole('button', { name: /^Select a model/ }).isHidden(), true);
    await chat.deliver(
      { type: 'model', model: { name: 'Qwen3-4B-Instruct-2507-FP8', kind: 'instruct-2507', contextLength: 262_144 } },
      { type: 'engineState', state: 'starting' },
    );
    assert.equal(await header.locator('.model').textContent(), 'Qwen3-4B-Instruct-2507-FP8');
    assert.equal(await header.locator('.engine-state').textContent(), 'Starting engine…');
    assert.equal(await header.getByRole('button', { name: 'Show the Hearth logs' }).isHidden(), true);
    await chat.deliver(
      { type: 'model', model: null },
      { type: 'engineState', state: 'failed', detail: 'onnxruntime failed to load' },
    );
    assert.equal(await header.locator('.model').textContent(), 'No model');
    assert.equal(await header.locator('.engine-state').textContent(), 'Engine failed');
    assert.equal(await header.locator('.engine-state').getAttribute('title'), 'onnxruntime failed to load');
    await header.getByRole('button', { name: 'Show the Hearth logs' }).click();
    assert.deepEqual(await chat.takePosted(), [{ type: 'showLogs' }]);
  });

  it('replaces the transcript and the thinking mode on history', { timeout: 20_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    await chat.deliver({ type: 'turnStarted', turn: turn('old', 'Soon replaced') });
    await chat.deliver({
      type: 'history',
      thinking: 'on',
      turns: [
        turn('h1', 'Rename the store', {
          reasoning: 'Callers are in two files.',
          answer: 'Rename `Store` to **Cache**.',
          finishReason: 'stop',
          thinking: { enabled: true, decidedBy: 'request' },
          stats,
        }),
        turn('h2', 'And now?', { finishReason: 'error', error: 'Context too large' }),
      ],
    });
    const turns = chat.page.locator('article.turn');
    assert.deepEqual(await turns.locator('.question').allTextContents(), ['Rename the store', 'And now?']);
    assert.equal(
      await turns.nth(0).locator('.answer').innerHTML(),
      '<p>Rename <code>Store</code> to <strong>Cache</strong>.</p>\n',
    );
    assert.equal(await turns.nth(0).locator('details.thinking summary').textContent(), 'Thinking (thinking on)');
    assert.equal(
      await turns
        .nth(0)
        .locator('details.thinking')
        .evaluate((node) => (node as HTMLDetailsElement).open),
      false,
    );
    assert.equal(await turns.nth(1).locator('.turn-error').textContent(), 'Context too large');
    assert.equal(await chat.page.locator('.thinking-toggle [aria-pressed="true"]').textContent(), 'On');
    assert.equal(await chat.page.locator('.welcome').isHidden(), true);

    await chat.deliver({ type: 'history', turns: [], thinking: 'auto' });
    assert.equal(await turns.count(), 0);
    assert.equal(await chat.page.locator('.welcome').isVisible(), true);
  });

  it(
    'saves its state with setState and redraws from getState before the extension answers',
    { timeout: 20_000 },
    async (t) => {
      const first = await open(t);
      if (!first) return;
      await first.deliver(
        { type: 'model', model: { name: 'Qwen3-1.7B', kind: 'hybrid', contextLength: 40_960 } },
        { type: 'engineState', state: 'ready' },
        {
          type: 'history',
          turns: [turn('h1', 'Where is main?', { answer: 'In `src/main.ts`.', finishReason: 'stop', stats })],
          thinking: 'off',
        },
      );
      await first.page.getByRole('textbox', { name: 'Ask Hearth' }).fill('half a question');
      await first.page.waitForFunction(
        () => (window.__hearthTest.state as { draft?: string } | undefined)?.draft === 'half a question',
      );
      const saved = await first.savedState();

      const second = await open(t, saved);
      if (!second) return;
      assert.deepEqual(await second.posted(), [{ type: 'ready' }]);
      assert.equal(
        await second.page.locator('article[data-turn-id="h1"] .answer').innerHTML(),
        '<p>In <code>src/main.ts</code>.</p>\n',
      );
      assert.equal(await second.page.locator('.model').textContent(), 'Qwen3-1.7B');
      assert.equal(await second.page.locator('.engine-state').textContent(), 'Ready');
      assert.equal(await second.page.locator('.thinking-toggle [aria-pressed="true"]').textContent(), 'Off');
      assert.equal(await second.page.getByRole('textbox', { name: 'Ask Hearth' }).inputValue(), 'half a question');
    },
  );
});
