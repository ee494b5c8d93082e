/**
 * Drives the real built chat webview (media/webview.js, media/chat.css) in Debian's Chromium, inside the HTML
 * shell the extension serves (renderChatHtml: the real CSP), with a stub acquireVsCodeApi that records what
 * the webview posts and keeps its setState value.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, type TestContext } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { createNonce } from '../../src/extension/nonce';
import { renderChatHtml } from '../../src/extension/webviewHtml';
import type { ExtensionToWebviewMessage, WebviewToExtensionMessage } from '../../src/shared/webviewProtocol';
import { launchChromium, repoRoot } from '../vscode/codeServer';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const bundlePath = join(repoRoot, 'media', 'webview.js');

/** What the stub API and the page's listeners record, readable with page.evaluate. */
interface HearthTestGlobals {
  posted: WebviewToExtensionMessage[];
  state: unknown;
  violations: string[];
}
declare global {
  interface Window {
    __hearthTest: HearthTestGlobals;
    /** Set by hostile payloads if any of them ever runs. */
    __pwned?: unknown;
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Outside CI a missing Chromium skips with a clear message; under CI=true it fails. A stale bundle always fails. */
export function requireChromium(t: TestContext): boolean {
  if (
    !existsSync(bundlePath) ||
    statSync(bundlePath).mtimeMs <
      Math.max(
        newestMtime(join(repoRoot, 'src', 'webview')),
        statSync(join(repoRoot, 'src', 'shared', 'webviewProtocol.ts')).mtimeMs,
      )
  ) {
    throw new Error('media/webview.js is missing or older than src/webview: run `node esbuild.mjs` first.');
  }
  if (existsSync(chromiumPath)) return true;
  const missing = `Chromium is not at ${chromiumPath} (Debian: apt-get install chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === 'true')
    throw new Error(`Webview tests cannot run: ${missing}. Under CI this is a failure, not a skip.`);
  t.skip(`SKIPPED webview test: ${missing}`);
  return false;
}

/** Serves the chat shell and media/ from 127.0.0.1, the way VS Code serves them from cspSource. */
async function serveChat(): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    const origin = `http://${request.headers.host ?? ''}`;
    const files: Record<string, [string, string]> = {
      '/media/webview.js': ['webview.js', 'text/javascript'],
      '/media/chat.css': ['chat.css', 'text/css'],
    };
    if (request.url === '/') {
      const html = renderChatHtml({
        cspSource: origin,
        nonce: createNonce(),
        scriptUri: `${origin}/media/webview.js`,
        styleUri: `${origin}/media/chat.css`,
      });
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = files[request.url ?? ''];
    if (!file) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': file[1] }).end(readFileSync(join(repoRoot, 'media', file[0])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return { server, origin: `http://127.0.0.1:${address.port}` };
}

export class ChatPage {
  /** Every URL the page asked for (navigation and subresources). */
  readonly requests: string[] = [];
  readonly errors: string[] = [];

  constructor(readonly page: Page) {
    page.on('request', (request) => this.requests.push(request.url()));
    page.on('pageerror', (error) => this.errors.push(error.message));
  }

  /** Delivers messages as the extension would (window message events) and waits until the view handled them. */
  async deliver(...messages: ExtensionToWebviewMessage[]): Promise<void> {
    await this.page.evaluate(async (list) => {
      const handled = new Promise<void>((resolve) => {
        const onMessage = (event: MessageEvent<{ type?: string }>): void => {
          if (event.data.type !== '__test-sync') return;
          window.removeEventListener('message', onMessage);
          resolve();
        };
        window.addEventListener('message', onMessage);
      });
      for (const message of list) window.postMessage(message, '*');
      window.postMessage({ type: '__test-sync' }, '*');
      await handled;
    }, messages);
  }

  /** Waits for the next animation frame: streamed text is rendered by then. */
  async nextFrame(): Promise<void> {
    await this.page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));
  }

  async posted(): Promise<WebviewToExtensionMessage[]> {
    return this.page.evaluate(() => window.__hearthTest.posted);
  }

  /** What was posted since the 'ready' message and the previous call. */
  async takePosted(): Promise<WebviewToExtensionMessage[]> {
    return this.page.evaluate(() => window.__hearthTest.posted.splice(0).filter((message) => message.type !== 'ready'));
  }

  async savedState(): Promise<unknown> {
    return this.page.evaluate(() => window.__hearthTest.state);
  }

  async violations(): Promise<string[]> {
    return this.page.evaluate(() => window.__hearthTest.violations);
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** One Chromium and one server for a test file; a fresh page (and browser context) per test. */
export class ChatHarness {
  private constructor(
    private readonly browser: Browser,
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<ChatHarness> {
    const { server, origin } = await serveChat();
    return new ChatHarness(await launchChromium(), server, origin);
  }

  /** Opens the chat with an optional vscode.getState() value and waits for its 'ready' message. */
  async open(options: { state?: unknown } = {}): Promise<ChatPage> {
    const context = await this.browser.newContext();
    const page = await context.newPage();
    // tsx compiles test code with keepNames, so functions sent to the page call esbuild's __name helper.
    await page.addInitScript({ content: 'globalThis.__name = (target) => target;' });
    await page.addInitScript((initialState: unknown) => {
      window.__hearthTest = { posted: [], state: initialState, violations: [] };
      const clone = <T>(value: T): T => structuredClone(value);
      Object.assign(window, {
        acquireVsCodeApi: () => ({
          postMessage: (message: WebviewToExtensionMessage) => window.__hearthTest.posted.push(clone(message)),
          getState: () => window.__hearthTest.state,
          setState: (state: unknown) => (window.__hearthTest.state = clone(state)),
        }),
      });
      document.addEventListener('securitypolicyviolation', (event) =>
        window.__hearthTest.violations.push(`${event.violatedDirective} ${event.blockedURI}`),
      );
    }, options.state);
    const chat = new ChatPage(page);
    await page.goto(`${this.origin}/`);
    await page.waitForFunction(() => window.__hearthTest.posted.some((message) => message.type === 'ready'));
    return chat;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * One ChatHarness for the enclosing describe block; the function returned opens a fresh page for a test (closed
 * after it), or gives undefined with the test skipped when there is no Chromium.
 */
export function useChatHarness(): (t: TestContext, state?: unknown) => Promise<ChatPage | undefined> {
  let harness: ChatHarness | undefined;
  before(async () => {
    harness = await ChatHarness.start();
  });
  after(async () => {
    await harness?.close();
  });
  return async (t, state) => {
    if (!requireChromium(t)) return undefined;
    const chat = await harness!.open({ state });
    t.after(() => chat.close());
    return chat;
  };
}
