/**
 * Model output is untrusted: hostile Markdown fed to the built chat webview (under its real CSP) must run
 * nothing, load nothing and leave no handler, script, frame or foreign id in the DOM. Raw HTML is shown as
 * text before any parser sees it, so the CSP never has to step in: the page reports no violation at all.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatHarness, requireChromium } from './chatPage';
import { chunks, turn } from './chatFixtures';

const hostileMarkdown = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=2</script>',
  '[click me](javascript:window.__pwned=3)',
  '<a href="javascript:window.__pwned=4">raw link</a>',
  '<iframe src="javascript:parent.__pwned=5"></iframe>',
  '<svg onload="window.__pwned=6"><circle r="5"/></svg>',
  '<details open ontoggle="window.__pwned=7">x</details>',
  'inline <b onmouseover="window.__pwned=8">bold</b> html',
  '![tracker](http://127.0.0.1:9/tracker.png)',
  '![same origin](/media/pixel.png)',
  '<style>body { display: none }</style>',
  '```"><img src=x onerror=window.__pwned=9>\ncode\n```',
  '<div style="background: url(/x)" id="hearth-chat" class="turn">clobber</div>',
  '<math><mi xlink:href="javascript:window.__pwned=10">m</mi></math>',
  '<form action="javascript:window.__pwned=11"><button>go</button></form>',
  '[data link](data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xMjwvc2NyaXB0Pg==)',
  '<object data="javascript:window.__pwned=13"></object><embed src="javascript:window.__pwned=14">',
  '<input autofocus onfocus="window.__pwned=15">',
  '[ok](https://example.com/ok "Example") and <https://example.com/auto>',
  '[relative](src/main.ts)',
].join('\n\n');

describe('chat webview with hostile model output (Chromium)', () => {
  let harness: ChatHarness | undefined;
  before(async () => {
    harness = await ChatHarness.start();
  });
  after(async () => {
    await harness?.close();
  });

  it('runs nothing, loads nothing and shows raw HTML as text', { timeout: 20_000 }, async (t) => {
    if (!requireChromium(t)) return;
    const chat = await harness!.open();
    t.after(() => chat.close());
    const page = chat.page;
    await chat.deliver(
      { type: 'model', model: { name: '<img src=x onerror="window.__pwned=20">', kind: 'hybrid', contextLength: 1 } },
      { type: 'turnStarted', turn: turn('t1', '<script>window.__pwned=21</script>') },
    );
    // Streamed in small pieces, so half-open tags are rendered along the way too.
    for (const piece of chunks(hostileMarkdown, 40)) {
      await chat.deliver({ type: 'turnDelta', turnId: 't1', reasoning: piece, answer: piece });
      await chat.nextFrame();
    }
    await chat.deliver({
      type: 'turnFinished',
      turnId: 't1',
      finishReason: 'error',
      error: '<img src=x onerror="window.__pwned=22">',
    });
    await page.locator('details.thinking summary').click(); // show the reasoning too
    await page.locator('article[data-turn-id="t1"] .answer').hover();
    await page.waitForTimeout(200); // let any load/error/toggle event that was going to fire, fire

    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(await chat.violations(), []);
    assert.deepEqual(chat.errors, []);

    const report = await page.evaluate(() => {
      const answer = document.querySelector('article[data-turn-id="t1"] .answer')!;
      const all = Array.from(document.querySelectorAll('*'));
      return {
        forbidden: Array.from(
          answer.querySelectorAll(
            'script, iframe, frame, svg, math, object, embed, style, form, input, img, link, meta, base, details',
          ),
        ).map((node) => node.tagName),
        handlers: all.flatMap((node) =>
          Array.from(node.attributes)
            .filter((attribute) => attribute.name.startsWith('on'))
            .map((attribute) => `${node.tagName} ${attribute.name}`),
        ),
        styled: Array.from(answer.querySelectorAll('[style]')).length,
        ids: all.filter((node) => node.id).map((node) => node.id),
        links: Array.from(answer.querySelectorAll('a')).map((node) => [node.getAttribute('href'), node.textContent]),
        buttons: Array.from(answer.querySelectorAll('button')).map((node) => node.className),
        text: answer.textContent ?? '',
        reasoning: document.querySelector('article[data-turn-id="t1"] .thinking-text')!.textContent,
      };
    });
    assert.deepEqual(report.forbidden, []);
    assert.deepEqual(report.handlers, []);
    assert.equal(report.styled, 0);
    assert.deepEqual(report.ids, ['hearth-chat', 'composer-hint']);
    assert.deepEqual(report.links, [
      ['https://example.com/ok', 'ok'],
      ['https://example.com/auto', 'https://example.com/auto'],
    ]);
    assert.deepEqual(report.buttons, ['code-action', 'code-action', 'code-action']); // the one fenced block's own toolbar
    for (const shown of [
      '<script>window.__pwned=2</script>',
      '<iframe src="javascript:parent.__pwned=5"></iframe>',
      '[image: tracker]',
      'click me',
      'relative',
    ]) {
      assert.ok(report.text.includes(shown), `answer should show ${shown} as text`);
    }
    assert.equal(report.reasoning, hostileMarkdown);
    assert.equal(
      await page.locator('article[data-turn-id="t1"] .question').textContent(),
      '<script>window.__pwned=21</script>',
    );
    assert.equal(await page.locator('.model').textContent(), '<img src=x onerror="window.__pwned=20">');

    // Nothing but the page and its own two files was ever requested.
    const origin = harness!.origin;
    assert.deepEqual([...new Set(chat.requests)].sort(), [
      `${origin}/`,
      `${origin}/media/chat.css`,
      `${origin}/media/webview.js`,
    ]);
  });

  it('shows the text after an inline <script>, <pre>, <code> or <kbd> as text too (a fuzz counterexample)', async (t) => {
    if (!requireChromium(t)) return;
    const chat = await harness!.open();
    t.after(() => chat.close());
    const answer = 'H<script a=""><i onerror=window.__pwned=1 and <kbd><b title="x" then <code><u';
    await chat.deliver(
      { type: 'turnStarted', turn: turn('t1', 'raw') },
      { type: 'turnDelta', turnId: 't1', answer },
      { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
    );
    const shown = chat.page.locator('article[data-turn-id="t1"] .answer');
    assert.equal(await shown.textContent(), `${answer}\n`);
    assert.equal(await shown.locator('i, b, u').count(), 0);
    assert.deepEqual(await chat.violations(), []);
  });

  it('does not navigate the webview when a link in an answer is clicked', { timeout: 20_000 }, async (t) => {
    if (!requireChromium(t)) return;
    const chat = await harness!.open();
    t.after(() => chat.close());
    await chat.deliver(
      { type: 'turnStarted', turn: turn('t1', 'links') },
      {
        type: 'turnDelta',
        turnId: 't1',
        answer: 'See [the docs](https://example.com/docs) or [this](javascript:window.__pwned=1).',
      },
      { type: 'turnFinished', turnId: 't1', finishReason: 'stop' },
    );
    const url = chat.page.url();
    await chat.page.getByRole('link', { name: 'the docs' }).click();
    assert.equal(await chat.page.getByRole('link').count(), 1); // the javascript: one is plain text
    await chat.page.waitForTimeout(200);
    assert.equal(chat.page.url(), url);
    assert.equal(await chat.page.evaluate(() => window.__pwned), undefined);
    assert.ok(!chat.requests.some((request) => request.includes('example.com')));
    assert.equal(
      await chat.page.getByRole('link', { name: 'the docs' }).getAttribute('title'),
      'https://example.com/docs',
    );
  });
});
