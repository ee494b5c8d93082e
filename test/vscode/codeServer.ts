/**
 * Runs code-server 4.100.3 (= VS Code 1.100.3, installed offline by test/vscode-host/setup.mjs) and Debian's
 * Chromium through playwright-core, so that the extension is tested in a real VS Code without internet.
 * See ../../../shared/VSCODE_TESTING.md for the facts behind each flag.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { TestContext } from 'node:test';
import { chromium, type Browser } from 'playwright-core';

export const repoRoot = resolve(__dirname, '..', '..');
const hostDir = join(repoRoot, 'test', 'vscode-host');
const codeServerBin = join(hostDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the real-VS Code tests cannot run here, or undefined when they can. */
function missingPiece(): string | undefined {
  if (!existsSync(join(hostDir, 'node_modules', '.hearth-setup-complete')))
    return 'code-server is not installed (node test/vscode-host/setup.mjs)';
  if (!existsSync(chromiumPath))
    return `Chromium is not at ${chromiumPath} (Debian: apt-get install chromium, or set CHROMIUM_PATH)`;
  return undefined;
}

/** Outside CI a missing piece skips with a clear message; under CI=true it fails the test. */
export function requireRealVsCode(t: TestContext): boolean {
  const missing = missingPiece();
  if (!missing) return true;
  if (process.env.CI === 'true')
    throw new Error(`Real-VS Code tests cannot run: ${missing}. Under CI this is a failure, not a skip.`);
  t.skip(`SKIPPED real-VS Code test: ${missing}`);
  return false;
}

/** The user settings every test starts with (quiet, offline), with `extra` on top. */
export function userSettings(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'workbench.startupEditor': 'none',
    'chat.disableAIFeatures': true,
    'extensions.autoUpdate': false,
    'workbench.tips.enabled': false,
    ...extra,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export class CodeServer {
  readonly logs: string[] = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly home: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => this.logs.push(chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => this.logs.push(chunk.toString()));
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /**
   * The workbench on `folder` with this checkout loaded as the extension under development (as F5 does), and
   * optionally an extension-host test module to run (its exit code comes through window.codeAutomationExit).
   */
  devWorkbenchUrl(folder: string, extensionTestsPath?: string): string {
    const remote = (path: string) => `vscode-remote://127.0.0.1:${this.port}${path}`;
    const payload = [
      ['extensionDevelopmentPath', remote(repoRoot)],
      ...(extensionTestsPath === undefined ? [] : [['extensionTestsPath', remote(extensionTestsPath)]]),
    ];
    return `${this.origin}/?folder=${encodeURIComponent(folder)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  }

  /**
   * A temp home with its own user data, extensions and XDG folders; optionally a .vsix installed first and
   * user settings beside the defaults.
   */
  static async start(options: { vsix?: string; settings?: Record<string, unknown> } = {}): Promise<CodeServer> {
    const home = mkdtempSync(join(tmpdir(), 'hearth-code-server-'));
    const dirs = ['user-data', 'extensions', 'config', 'data', 'cache'].map((name) => join(home, name));
    dirs.forEach((dir) => mkdirSync(dir, { recursive: true }));
    const [userData, extensions, config, data, cache] = dirs as [string, string, string, string, string];
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(userSettings(options.settings)));
    const env = { ...process.env, XDG_CONFIG_HOME: config, XDG_DATA_HOME: data, XDG_CACHE_HOME: cache };
    const common = ['--user-data-dir', userData, '--extensions-dir', extensions];
    if (options.vsix) {
      const install = spawnSync(process.execPath, [codeServerBin, ...common, '--install-extension', options.vsix], {
        env,
        encoding: 'utf8',
      });
      if (install.status !== 0)
        throw new Error(`code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);
    }
    const port = await freePort();
    const args = [
      ...common,
      '--auth',
      'none',
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-update-check',
      '--ignore-last-opened',
    ];
    const child = spawn(process.execPath, [codeServerBin, ...args], {
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const server = new CodeServer(child, port, home);
    await server.waitUntilServing();
    return server;
  }

  private async waitUntilServing(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null)
        throw new Error(`code-server exited (${this.child.exitCode}):\n${this.logs.join('')}`);
      try {
        const response = await fetch(`${this.origin}/healthz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`code-server did not start within ${timeoutMs} ms:\n${this.logs.join('')}`);
  }

  /** Kills code-server's whole process group (it leaves file-watcher children otherwise) and its temp home. */
  async stop(): Promise<void> {
    if (this.child.pid !== undefined && this.child.exitCode === null) {
      const exited = new Promise((r) => this.child.once('exit', r));
      try {
        process.kill(-this.child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      await exited;
    }
    rmSync(this.home, { recursive: true, force: true });
  }
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A temp workspace folder, removed by the caller: a small TypeScript project (manifest, README, sources and a
 * test) for the repository context to index, rank and pack.
 */
export function makeWorkspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hearth-ws-'));
  for (const [path, text] of Object.entries(workspaceFiles)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const workspaceFiles: Record<string, string> = {
  'hello.ts': 'export function hello(name: string): string {\n  return `Hello, ${name}`;\n}\n',
  'package.json': `${JSON.stringify({ name: 'greetings', version: '1.0.0', main: 'dist/index.js', scripts: { build: 'tsc', test: 'node --test' } }, null, 2)}\n`,
  'README.md': '# greetings\n\nGreets people and adds numbers. `npm run build` compiles, `npm test` runs the tests.\n',
  'src/math.ts': [
    'export function sum(values: number[]): number {',
    '  return values.reduce((total, value) => total + value, 0);',
    '}',
    '',
    'export function mean(values: number[]): number {',
    '  return values.length === 0 ? 0 : sum(values) / values.length;',
    '}',
    '',
  ].join('\n'),
  'src/greeter.ts': [
    "import { hello } from '../hello';",
    '',
    'export class Greeter {',
    '  private count = 0;',
    '',
    '  greet(name: string): string {',
    '    this.count++;',
    '    return hello(name);',
    '  }',
    '',
    '  get greeted(): number {',
    '    return this.count;',
    '  }',
    '}',
    '',
  ].join('\n'),
  'src/index.ts': [
    "import { Greeter } from './greeter';",
    "import { mean } from './math';",
    '',
    'const greeter = new Greeter();',
    'for (const name of process.argv.slice(2)) console.log(greeter.greet(name));',
    'console.log(`greeted ${greeter.greeted}, mean name length ${mean(process.argv.slice(2).map((name) => name.length))}`);',
    '',
  ].join('\n'),
  'test/math.test.ts': [
    "import assert from 'node:assert/strict';",
    "import { test } from 'node:test';",
    "import { mean, sum } from '../src/math';",
    '',
    "test('sum', () => assert.equal(sum([1, 2, 3]), 6));",
    "test('mean', () => assert.equal(mean([1, 2, 3]), 2));",
    '',
  ].join('\n'),
};
