/**
 * A long streamed answer in the built chat webview (Chromium): the render work per delta does not grow with the
 * answer, and Stop ends the turn in the view at once, whatever is still being delivered.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import type { ExtensionToWebviewMessage } from '../../src/shared/webviewProtocol';
import { useChatHarness, type ChatPage } from './chatPage';
import { chunks, turn } from './chatFixtures';

/** One section of a typical answer: heading, prose, a list, a code block and a table. */
function section(index: number): string {
  return [
    `## Step ${index}`,
    '',
    `The parser in \`src/parser${index}.ts\` reads **tokens** one at a time and hands each to the [builder](https://example.com/b${index}).`,
    '',
    `- check the input of step ${index}`,
    '- keep the offsets',
    '',
    '```ts',
    `export function step${index}(input: string): number {`,
    `  return input.length + ${index};`,
    '}',
    '```',
    '',
    '| name | value |',
    '|------|-------|',
    `| step | ${index} |`,
    '',
    '',
  ].join('\n');
}

function longAnswer(length: number): string {
  let text = '';
  for (let index = 1; text.length < length; index++) text += section(index);
  return text.slice(0, length);
}

/** Sum of the costs after dropping the largest tenth (a stray GC or a busy neighbour, not the renderer). */
function trimmedSum(costs: readonly number[]): number {
  const sorted = [...costs].sort((a, b) => a - b);
  return sorted.slice(0, Math.ceil(sorted.length * 0.9)).reduce((sum, cost) => sum + cost, 0);
}

/** The ratio of the last tenth's render work to the first tenth's that the test allows. */
const MAX_GROWTH = 2;

/**
 * Each delta's cost: handling its message plus the animation frame that renders it (with the layout the view
 * forces to keep the scroll pinned). Frame callbacks run in the order they were asked for, so the one asked
 * before the delta and the one asked after it bracket the view's own render.
 */
function deltaCosts(chat: ChatPage, messages: ExtensionToWebviewMessage[]): Promise<number[]> {
  return chat.page.evaluate(async (list) => {
    // Reading the page's height lays it out: the browser's own share of the work is counted too.
    const frameTime = () =>
      new Promise<number>((resolve) =>
        requestAnimationFrame(() => resolve(document.documentElement.scrollHeight && performance.now())),
      );
    const measured: number[] = [];
    for (const message of list) {
      const before = frameTime();
      const start = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: message }));
      const handled = performance.now() - start;
      const after = frameTime();
      const [frameStart, frameEnd] = await Promise.all([before, after]);
      measured.push(handled + frameEnd - frameStart);
    }
    return measured;
  }, messages);
}

/** The last tenth of the deltas costs at most MAX_GROWTH times the first tenth. */
function assertFlat(t: TestContext, costs: readonly number[]): void {
  const tenth = Math.floor(costs.length / 10);
  const first = trimmedSum(costs.slice(0, tenth));
  const last = trimmedSum(costs.slice(-tenth));
  t.diagnostic(
    `${costs.length} deltas: first tenth ${first.toFixed(1)} ms, last tenth ${last.toFixed(1)} ms (ratio ${(last / first).toFixed(2)})`,
  );
  assert.ok(
    last <= MAX_GROWTH * first,
    `the last tenth of deltas cost ${last.toFixed(1)} ms, more than ${MAX_GROWTH}× the first tenth's ${first.toFixed(1)} ms`,
  );
}

describe('chat webview streaming a long answer (Chromium)', () => {
  const open = useChatHarness();

  it(
    'renders a 40,000-character answer with per-delta work that does not grow with its length',
    { timeout: 120_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const answer = longAnswer(40_000);
      await chat.deliver(
        { type: 'engineState', state: 'ready' },
        { type: 'turnStarted', turn: turn('t1', 'Walk me through the parser') },
      );
      const costs = await deltaCosts(
        chat,
        chunks(answer, 80).map((piece) => ({ type: 'turnDelta', turnId: 't1', answer: piece })),
      );
      await chat.deliver({ type: 'turnFinished', turnId: 't1', finishReason: 'stop' });
      assertFlat(t, costs);

      // Rendered piecewise, the answer is the same DOM as the whole text rendered at once.
      await chat.deliver(
        { type: 'turnStarted', turn: turn('t2', 'Again, at once') },
        { type: 'turnDelta', turnId: 't2', answer },
        { type: 'turnFinished', turnId: 't2', finishReason: 'stop' },
      );
      const html = (id: string) => chat.page.locator(`article[data-turn-id="${id}"] .answer`).innerHTML();
      assert.equal(await html('t1'), await html('t2'));
      assert.equal(
        await chat.page.locator('article[data-turn-id="t1"] .code-block').count(),
        answer.split('```ts').length - 1,
      );
      assert.deepEqual(chat.errors, []);
    },
  );

  it('keeps a list open while its next line is cut short, as the answer shown at once has it', async (t) => {
    const chat = await open(t);
    if (!chat) return;
    // Found by the fuzz test: cut after its first "*", the last line read as a new list's empty item, which
    // ended the first list; whole, it continues the list item.
    const answer = 'Intro line\n- [ ] task item\n**bold** text';
    const cut = answer.indexOf('\n**') + 2;
    await chat.deliver(
      { type: 'turnStarted', turn: turn('t1', 'q') },
      { type: 'turnDelta', turnId: 't1', answer: answer.slice(0, cut) },
    );
    await chat.nextFrame();
    await chat.deliver(
      { type: 'turnDelta', turnId: 't1', answer: answer.slice(cut) },
      { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
      { type: 'turnStarted', turn: turn('t2', 'q') },
      { type: 'turnDelta', turnId: 't2', answer },
      { type: 'turnFinished', turnId: 't2', finishReason: 'stop' },
    );
    await chat.nextFrame();
    const html = (id: string) => chat.page.locator(`article[data-turn-id="${id}"] .answer`).innerHTML();
    assert.equal(await html('t1'), await html('t2'));
  });

  it('completes the blocks of an answer with \\r\\n line breaks as it streams, split anywhere', async (t) => {
    const chat = await open(t);
    if (!chat) return;
    // Models write \r\n too; deltas of 7 characters split some \r\n pairs between two deltas.
    const answer = longAnswer(8_000).replace(/\n/g, '\r\n');
    await chat.deliver(
      { type: 'turnStarted', turn: turn('t1', 'Walk me through the parser') },
      ...chunks(answer, 7).map((piece): ExtensionToWebviewMessage => ({
        type: 'turnDelta',
        turnId: 't1',
        answer: piece,
      })),
    );
    await chat.nextFrame();
    // Only the last whole line's block (a heading here) and the cut line after it are still open: every other
    // block is rendered once, into a group of complete blocks.
    const openBlock = chat.page.locator('article[data-turn-id="t1"] .answer > :not(.answer-blocks)');
    assert.deepEqual(await openBlock.evaluateAll((nodes) => nodes.map((node) => node.tagName)), ['H2', 'P']);
    await chat.deliver(
      { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
      { type: 'turnStarted', turn: turn('t2', 'Again, at once') },
      { type: 'turnDelta', turnId: 't2', answer },
      { type: 'turnFinished', turnId: 't2', finishReason: 'stop' },
    );
    const html = (id: string) => chat.page.locator(`article[data-turn-id="${id}"] .answer`).innerHTML();
    assert.equal(await html('t1'), await html('t2'));
  });

  it(
    'streams 40,000 characters of reasoning with per-delta work that does not grow with its length',
    { timeout: 120_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      await chat.deliver(
        { type: 'turnStarted', turn: turn('t1', 'Refactor the parser') },
        { type: 'turnThinking', turnId: 't1', thinking: { enabled: true, decidedBy: 'auto' } },
      );
      const reasoning = longAnswer(40_000);
      const costs = await deltaCosts(
        chat,
        chunks(reasoning, 80).map((piece) => ({ type: 'turnDelta', turnId: 't1', reasoning: piece })),
      );
      assertFlat(t, costs);
      assert.equal(await chat.page.locator('article[data-turn-id="t1"] .thinking-text').textContent(), reasoning);
    },
  );

  it(
    'stops appending at the click on Stop and shows the turn stopped within 200 ms, with deltas still queued',
    { timeout: 60_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      const answerOf = chat.page.locator('article[data-turn-id="t1"] .answer');
      await chat.deliver(
        { type: 'engineState', state: 'ready' },
        { type: 'turnStarted', turn: turn('t1', 'Walk me through the parser') },
      );
      const pieces = chunks(longAnswer(40_000), 20);
      // Half the answer arrives and is shown; the other half is queued in the page when Stop is clicked.
      await chat.deliver(
        ...pieces
          .slice(0, 1_000)
          .map((piece): ExtensionToWebviewMessage => ({ type: 'turnDelta', turnId: 't1', answer: piece })),
      );
      await chat.nextFrame();
      await chat.page.evaluate((list) => {
        const article = document.querySelector('article[data-turn-id="t1"]')!;
        const test = window as unknown as { stoppedAt?: number; clickedAt?: number };
        new MutationObserver(() => {
          if (test.stoppedAt === undefined && article.querySelector('.context-line')?.textContent === 'stopped')
            test.stoppedAt = performance.now();
        }).observe(article, { childList: true, subtree: true, characterData: true });
        document.addEventListener('click', () => (test.clickedAt ??= performance.now()), { capture: true });
        for (const piece of list) window.postMessage({ type: 'turnDelta', turnId: 't1', answer: piece }, '*');
      }, pieces.slice(1_000));
      await chat.page.getByRole('button', { name: 'Stop the answer (Escape)' }).click();
      const shownAtStop = (await answerOf.textContent()) ?? '';
      const { clickedAt, stoppedAt } = await chat.page.evaluate(() => {
        const { clickedAt, stoppedAt } = window as unknown as { stoppedAt?: number; clickedAt?: number };
        return { clickedAt, stoppedAt };
      });
      assert.ok(
        clickedAt !== undefined && stoppedAt !== undefined,
        `the turn was not shown stopped (${clickedAt}, ${stoppedAt})`,
      );
      t.diagnostic(`stopped ${(stoppedAt - clickedAt).toFixed(1)} ms after the click`);
      assert.ok(stoppedAt - clickedAt <= 200, `shown stopped ${(stoppedAt - clickedAt).toFixed(1)} ms after the click`);
      // The stop names how much of the answer was shown: whole 20-character deltas, at least the first half.
      const [stopped] = (await chat.takePosted()).slice(-1);
      assert.ok(stopped.type === 'stop' && stopped.turnId === 't1' && stopped.answerLength !== undefined);
      assert.ok(stopped.answerLength >= 20_000 && stopped.answerLength % 20 === 0, `${stopped.answerLength}`);

      // The queued deltas and the extension's own end of the turn change nothing that was shown.
      await chat.deliver(
        { type: 'turnDelta', turnId: 't1', answer: 'after the stop' },
        { type: 'turnFinished', turnId: 't1', finishReason: 'cancelled' },
      );
      await chat.nextFrame();
      assert.equal(await answerOf.textContent(), shownAtStop);
      assert.ok(shownAtStop.length > 0 && !shownAtStop.includes('after the stop'));
      assert.equal(await chat.page.locator('article[data-turn-id="t1"] .context-line').textContent(), 'stopped');
      assert.equal(await chat.page.getByRole('button', { name: 'Send (Enter)' }).count(), 1);
    },
  );
});
