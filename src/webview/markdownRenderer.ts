import DOMPurify, { type Config } from 'dompurify';
import { Marked } from 'marked';
import { highlightCode } from './codeHighlighter';

/**
 * Model output is untrusted. Three layers keep it inert: raw HTML in the Markdown is shown as text, the
 * renderer emits only links and images with safe URLs, and DOMPurify sanitises the result (the strict CSP is
 * the fourth). Links keep their http(s)/mailto href: VS Code opens a clicked link outside the webview.
 */

const htmlEntities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => htmlEntities[char] ?? char);
}

const linkUrl = /^(?:https?:\/\/|mailto:)/i;
const imageUrl = /^data:image\/(?:png|gif|jpeg|webp);base64,[a-z0-9+/=\s]*$/i;
/** The fence's first word when it looks like a language name ("ts", "c++", "objective-c"), else ''. */
const languageName = /^[\w+#.-]{1,32}$/;

/** The language of a fence's info string, as the Apply action and the code's class carry it. */
export function fenceLanguage(info: string | undefined): string {
  const word = (info ?? '').trim().split(/\s+/)[0] ?? '';
  return languageName.test(word) ? word : '';
}

function safeUrl(href: string, allowed: RegExp): string | undefined {
  if (!allowed.test(href)) return undefined;
  try {
    return encodeURI(decodeURI(href));
  } catch {
    return undefined;
  }
}

const markdown = new Marked({
  gfm: true,
  async: false,
  // marked passes the text after an inline <pre>, <code>, <kbd> or <script> through as HTML; the html renderer
  // below shows those tags as text, so the text after them is escaped like any other.
  walkTokens(token) {
    if (token.type === 'text' && 'escaped' in token && token.escaped) token.escaped = false;
  },
  renderer: {
    html({ text }) {
      return escapeHtml(text);
    },
    code({ text, lang }) {
      const language = fenceLanguage(lang);
      const body = highlightCode(text, language.toLowerCase()) ?? escapeHtml(text);
      const className = language ? ` class="hljs language-${escapeHtml(language)}"` : ' class="hljs"';
      return `<pre><code${className}>${body}</code></pre>\n`;
    },
    link({ href, title, tokens }) {
      const label = this.parser.parseInline(tokens);
      const url = safeUrl(href, linkUrl);
      if (url === undefined) return label;
      return `<a href="${escapeHtml(url)}" title="${escapeHtml(title ?? url)}">${label}</a>`;
    },
    image({ href, text }) {
      if (!imageUrl.test(href)) return escapeHtml(text ? `[image: ${text}]` : '[image]');
      return `<img src="${escapeHtml(href)}" alt="${escapeHtml(text)}">`;
    },
    checkbox({ checked }) {
      return checked ? '☑ ' : '☐ ';
    },
  },
});

const purify = DOMPurify(window);
/** Only the classes this renderer and highlight.js emit survive; anything else could spoof the view's own. */
const allowedClass = /^(?:hljs(?:-[\w-]+)?|language-[\w+#.-]+|[a-z]+_+)$/;
purify.addHook('uponSanitizeAttribute', (_node, event) => {
  if (event.attrName !== 'class') return;
  event.attrValue = event.attrValue
    .split(/\s+/)
    .filter((name) => allowedClass.test(name))
    .join(' ');
  if (!event.attrValue) event.keepAttr = false;
});

const purifyConfig: Config & { RETURN_DOM_FRAGMENT: true } = {
  USE_PROFILES: { html: true }, // no SVG or MathML
  FORBID_TAGS: [
    'style',
    'form',
    'input',
    'button',
    'textarea',
    'select',
    'option',
    'iframe',
    'frame',
    'object',
    'embed',
    'link',
    'meta',
    'base',
    'video',
    'audio',
    'source',
    'picture',
    'dialog',
    'template',
  ],
  // id and name could clobber the view's own elements; style would only trip the CSP.
  FORBID_ATTR: ['style', 'id', 'name', 'srcset', 'target', 'action', 'formaction'],
  ALLOW_DATA_ATTR: false,
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|data:image\/(?:png|gif|jpeg|webp);)/i,
  RETURN_DOM_FRAGMENT: true,
};

/** Markdown as sanitised DOM nodes, ready to insert. A pure function of the text: the same text gives the same DOM. */
export function renderMarkdown(text: string): DocumentFragment {
  const html = markdown.parse(text, { async: false });
  return purify.sanitize(html, purifyConfig);
}

/**
 * The leading blocks of `text` that more text cannot change, as their source texts: every block before the last
 * one (a paragraph, list or fence may still grow). Blank lines join the block before them.
 */
export function completeBlocks(text: string): string[] {
  // Only whole lines: a line cut short can lex otherwise than it will (a list item's lazy continuation).
  const tokens = markdown.lexer(text.slice(0, text.lastIndexOf('\n') + 1));
  let open = tokens.length - 1;
  while (open >= 0 && tokens[open].type === 'space') open--;
  const blocks: string[] = [];
  let length = 0;
  for (let index = 0; index < open; index++) {
    const raw = tokens[index].raw;
    if (!text.startsWith(raw, length)) break; // the lexer's text differs from the source: keep it open
    length += raw.length;
    if (tokens[index].type === 'space' && blocks.length > 0) blocks[blocks.length - 1] += raw;
    else blocks.push(raw);
  }
  return blocks;
}
