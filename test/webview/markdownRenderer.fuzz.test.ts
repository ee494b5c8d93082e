/**
 * Property-based fuzz of the chat webview's Markdown rendering, in the built webview under its real CSP
 * (Chromium): random Markdown, raw HTML and URLs as answers, many per page load, leave no script, handler,
 * remote load or link other than http(s)/mailto in the DOM; and an answer streamed in random pieces ends as
 * the same DOM as the answer shown at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { ExtensionToWebviewMessage } from '../../src/shared/webviewProtocol';
import { useChatHarness, type ChatPage } from './chatPage';
import { turn } from './chatFixtures';

/** URLs a hostile answer might carry; every script payload sets window.__pwned. */
const HOSTILE_URLS = [
  'javascript:window.__pwned=1',
  'JaVaScRiPt:window.__pwned=2',
  ' javascript:window.__pwned=3',
  'java\tscript:window.__pwned=4',
  '&#106;avascript:window.__pwned=5',
  'javascript&colon;window.__pwned=6',
  'command:workbench.action.terminal.new',
  'command:hearth.restartEngine?%5B%5D',
  'COMMAND:hearth.showLogs',
  'command%3Ahearth.showLogs',
  'vscode://file/etc/passwd',
  'vscode-webview://x/index.html',
  'data:text/html;base64,PHNjcmlwdD5wYXJlbnQuX19wd25lZD0xPC9zY3JpcHQ+',
  'data:image/svg+xml,<svg onload=window.__pwned=7>',
  'data:image/png;base64,iVBORw0KGgo=',
  'http://127.0.0.1:9/remote.png',
  'https://example.com/a?b=c#d',
  '//127.0.0.1:9/protocol-relative.png',
  '/media/pixel.png',
  'file:///etc/passwd',
  'mailto:someone@example.com',
  'vbscript:msgbox(1)',
  'https://example.com/"onmouseover="window.__pwned=8',
  'https://example.com/<script>window.__pwned=9</script>',
  'blob:http://127.0.0.1/x',
  'about:blank',
  '#top',
];
const url = fc.oneof(fc.constantFrom(...HOSTILE_URLS), fc.webUrl(), fc.string({ maxLength: 12 }));
const text = fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('*', '_', '`', '[', ']', '<', '>', '|', '\\'));

const TAGS = ['a', 'img', 'script', 'iframe', 'svg', 'math', 'style', 'link', 'meta', 'base', 'form', 'input'];
const MORE_TAGS = ['button', 'object', 'embed', 'video', 'audio', 'source', 'details', 'div', 'body', 'template'];
const ATTRIBUTES = [
  'onerror="window.__pwned=10"',
  'onload=window.__pwned=11',
  'onfocus="window.__pwned=12" autofocus',
  'style="background:url(http://127.0.0.1:9/style.png)"',
  'id="hearth-chat"',
  'class="turn question"',
  'srcset="http://127.0.0.1:9/srcset.png 1x"',
  'formaction="javascript:window.__pwned=13"',
  'background="http://127.0.0.1:9/background.png"',
  'poster="http://127.0.0.1:9/poster.png"',
  'http-equiv="refresh" content="0;url=http://127.0.0.1:9/refresh"',
];
const html = fc
  .tuple(
    fc.constantFrom(...TAGS, ...MORE_TAGS),
    fc.constantFrom('href', 'src', 'data', 'action', 'xlink:href'),
    url,
    fc.constantFrom(...ATTRIBUTES),
    text,
    fc.boolean(),
  )
  .map(
    ([tag, name, value, attribute, inner, closed]) =>
      `<${tag} ${name}="${value}" ${attribute}>${inner}${closed ? `</${tag}>` : ''}`,
  );

/** Tags the Markdown lexer cannot close, which the browser's parser would still make elements of. */
const unterminated = fc.constantFrom(
  '<i onerror=window.__pwned=15 ',
  '<img src=x onerror=window.__pwned=16',
  '<a href="javascript:window.__pwned=17"',
  '<pre>',
  '<code>',
  '<kbd>',
  '<script>',
  '</script>',
);

const MARKDOWN: ((url: string, text: string) => string)[] = [
  (u, t) => `[${t}](${u})`,
  (u, t) => `![${t}](${u})`,
  (u, t) => `[${t}](${u} "${t}")`,
  (u, t) => `[${t}](<${u}>)`,
  (u) => `<${u}>`,
  (u) => u,
  (u, t) => `[${t}][r]\n\n[r]: ${u}\n`,
  (u, t) => `[![${t}](${u})](${u})`,
  (u, t) => `\`\`\`${t}\n${u}\n\`\`\`\n`,
  (u, t) => `\`\`\`"><img src=x onerror=window.__pwned=14>${t}\n${u}\n`,
  (u) => `\`${u}\``,
  (u, t) => `> ${t} [x](${u})\n`,
  (u, t) => `- ${t}\n- [ ] ${u}\n`,
  (u, t) => `1. ${t}\n\n   ${u}\n`,
  (u, t) => `# ${t} ${u}\n`,
  (u, t) => `| ${t} | ${u} |\n|---|---|\n| a | b |\n`,
  (u, t) => `**${t}** _${u}_ ~~${t}~~`,
  (u) => `<!-- ${u} -->`,
  (u) => `<![CDATA[${u}]]>`,
  (u, t) => `${t}\n===\n${u}\n---\n`,
];
const markdownPiece = fc
  .tuple(fc.nat({ max: MARKDOWN.length - 1 }), url, text)
  .map(([index, u, t]) => MARKDOWN[index](u, t));

const answerText = fc
  .array(fc.oneof(markdownPiece, html, unterminated, text, fc.constantFrom('\n', '\n\n', ' ', '    ')), {
    maxLength: 10,
  })
  .map((pieces) => pieces.join(''));

/** What the page's answers hold that they must not; empty lists mean a safe transcript. */
interface Report {
  forbidden: string[];
  attributes: string[];
  links: string[];
  images: string[];
}

const FORBIDDEN =
  'script, iframe, frame, object, embed, style, link, meta, base, form, input, textarea, select, svg, math, ' +
  'video, audio, source, picture, template, dialog, details, body, html, head, button:not(.code-action)';

function report(page: ChatPage['page']): Promise<Report> {
  return page.evaluate((forbidden) => {
    const answers = Array.from(document.querySelectorAll('article[data-turn-id] .answer'));
    const inside = answers.flatMap((answer) => Array.from(answer.querySelectorAll('*')));
    // The code blocks' own Copy/Insert/Apply buttons carry data-code-action.
    const allowedAttributes = new Set(['href', 'title', 'src', 'alt', 'class', 'type', 'start', 'data-code-action']);
    return {
      forbidden: answers.flatMap((answer) =>
        Array.from(answer.querySelectorAll(forbidden)).map((node) => node.tagName),
      ),
      attributes: inside.flatMap((node) =>
        Array.from(node.attributes)
          .filter((attribute) => !allowedAttributes.has(attribute.name) && !attribute.name.startsWith('aria-'))
          .map((attribute) => `${node.tagName} ${attribute.name}`),
      ),
      links: inside
        .filter((node) => node.hasAttribute('href'))
        .map((node) => node.getAttribute('href')!)
        .filter((href) => !/^(?:https?:\/\/|mailto:)/i.test(href)),
      images: inside
        .filter((node) => node.hasAttribute('src'))
        .map((node) => node.getAttribute('src')!)
        .filter((src) => !/^data:image\/(?:png|gif|jpeg|webp);base64,/i.test(src)),
    };
  }, FORBIDDEN);
}

describe('chat webview Markdown under fuzzing (Chromium)', () => {
  const open = useChatHarness();

  /** Forgets what earlier cases left (violations, requests, errors), so each case is judged on its own. */
  async function forget(chat: ChatPage): Promise<void> {
    await chat.page.evaluate(() => {
      window.__hearthTest.violations.length = 0;
      window.__pwned = undefined;
    });
    chat.requests.length = 0;
    chat.errors.length = 0;
  }

  /** Nothing ran, nothing was blocked or requested, and no page error: the transcript stayed inert. */
  async function assertInert(chat: ChatPage): Promise<void> {
    assert.deepEqual(await report(chat.page), { forbidden: [], attributes: [], links: [], images: [] });
    assert.equal(await chat.page.evaluate(() => window.__pwned), undefined);
    assert.deepEqual(await chat.violations(), []);
    assert.deepEqual(chat.errors, []);
    assert.deepEqual(chat.requests, []);
  }

  it(
    'renders batches of hostile answers with no script, remote load or unsafe link',
    { timeout: 120_000 },
    async (t) => {
      const chat = await open(t);
      if (!chat) return;
      await fc.assert(
        fc.asyncProperty(fc.array(answerText, { minLength: 50, maxLength: 50 }), async (answers) => {
          await forget(chat);
          const turns = answers.map((answer, index) => turn(`f${index}`, 'q', { answer, finishReason: 'stop' }));
          await chat.deliver({ type: 'history', turns, thinking: 'auto' });
          await chat.nextFrame();
          await assertInert(chat);
        }),
        { numRuns: 60 },
      );
    },
  );

  it('ends a streamed answer as the same DOM as the answer shown at once', { timeout: 120_000 }, async (t) => {
    const chat = await open(t);
    if (!chat) return;
    const streamed = answerText.chain((answer) =>
      fc
        .array(fc.nat({ max: answer.length }), { maxLength: 4 })
        .map((cuts) => ({ answer, cuts: [...new Set(cuts)].sort((a, b) => a - b) })),
    );
    const answerHtml = () =>
      chat.page.evaluate(() =>
        Array.from(document.querySelectorAll('article[data-turn-id] .answer')).map((answer) => answer.innerHTML),
      );
    await fc.assert(
      fc.asyncProperty(fc.array(streamed, { minLength: 20, maxLength: 20 }), async (cases) => {
        await chat.deliver({ type: 'history', turns: [], thinking: 'auto' });
        await forget(chat);
        await chat.deliver(
          ...cases.map((_, index) => ({ type: 'turnStarted', turn: turn(`s${index}`, 'q') }) as const),
        );
        for (let step = 0; step <= 4; step++) {
          const deltas: ExtensionToWebviewMessage[] = cases.flatMap(({ answer, cuts }, index) => {
            const at = [0, ...cuts, answer.length];
            const piece = step + 1 < at.length ? answer.slice(at[step], at[step + 1]) : '';
            return piece === '' ? [] : [{ type: 'turnDelta', turnId: `s${index}`, answer: piece }];
          });
          await chat.deliver(...deltas);
          await chat.nextFrame();
        }
        await chat.deliver(
          ...cases.map((_, index) => ({ type: 'turnFinished', turnId: `s${index}`, finishReason: 'stop' }) as const),
        );
        await chat.nextFrame();
        await assertInert(chat);
        const streamedHtml = await answerHtml();
        const turns = cases.map(({ answer }, index) => turn(`s${index}`, 'q', { answer, finishReason: 'stop' }));
        await chat.deliver({ type: 'history', turns, thinking: 'auto' });
        await chat.nextFrame();
        assert.deepEqual(streamedHtml, await answerHtml());
      }),
      { numRuns: 25 },
    );
  });
});
