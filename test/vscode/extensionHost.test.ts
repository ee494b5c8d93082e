/**
 * Runs the extension-host suite (test/suite/) inside code-server: the workbench URL carries the same
 * extensionDevelopmentPath / extensionTestsPath arguments that VS Code's own browser tests use, and the
 * suite's exit code comes back through window.codeAutomationExit.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CodeServer, launchChromium, makeWorkspace, repoRoot, requireRealVsCode } from './codeServer';

/**
 * Applies the printf-style format (%s, %d, %c) of console messages the extension host forwards. The
 * host puts its own "%c INFO" format before mocha's "✔ %s (%dms)" and its arguments.
 */
function formatConsoleArgs(args: unknown[]): string {
  const [format, ...rest] = args;
  if (typeof format !== 'string') return args.map(String).join(' ');
  let text = format;
  let from = 0;
  for (let match = /%[sdc]/.exec(text); match && rest.length > 0; match = /%[sdc]/.exec(text.slice(from))) {
    const at = from + match.index;
    const value = rest.shift();
    const inserted = match[0] === '%c' ? '' : String(value);
    text = text.slice(0, at) + inserted + text.slice(at + 2);
    from = at + inserted.length;
  }
  // The host's "%c INFO" prefix is followed by mocha's own format and its arguments.
  if (typeof rest[0] === 'string' && /%[sdc]/.test(rest[0])) return `${text} ${formatConsoleArgs(rest)}`.trim();
  return [text, ...rest.map(String)].join(' ').trim();
}

describe('extension-host suite in code-server (VS Code 1.100.3)', () => {
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let workspace: string | undefined;

  before(() => {
    workspace = makeWorkspace();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    if (workspace) rmSync(workspace, { recursive: true, force: true });
  });

  it('passes test/suite with the extension loaded from this checkout', { timeout: 300_000 }, async (t) => {
    if (!requireRealVsCode(t)) return;
    server = await CodeServer.start();
    browser = await launchChromium();
    const page = await browser.newPage();
    const output: string[] = [];
    page.on('console', (message) => {
      void Promise.all(message.args().map((arg) => arg.jsonValue())).then(
        (args: unknown[]) => output.push(formatConsoleArgs(args)),
        () => output.push(message.text()),
      );
    });

    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.goto(server.devWorkbenchUrl(workspace!, join(repoRoot, 'out', 'test', 'suite', 'index.js')));

    const code = await Promise.race([
      exitCode,
      // unref: a pending timer would keep this test process alive for the whole limit after the suite is done.
      new Promise<number>((_, reject) =>
        setTimeout(() => reject(new Error('The suite did not finish in 270 s.')), 270_000).unref(),
      ),
    ]).catch((error: unknown) => {
      t.diagnostic(output.join('\n'));
      throw error;
    });
    await new Promise((resolve) => setTimeout(resolve, 500)); // console messages arrive asynchronously
    // Results, and what tests log as `measured: …` (cache ratios, timings).
    const results = output.filter((line) => /✔|\d+\) |passing|failing|measured: /.test(line));
    t.diagnostic(results.join('\n'));
    assert.equal(code, 0, `extension-host suite failed:\n${output.join('\n')}`);
    assert.equal(results.filter((line) => line.includes('✔')).length, 31, 'expected 31 passing extension-host tests');
  });
});
