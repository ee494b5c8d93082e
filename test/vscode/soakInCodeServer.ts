/**
 * Runs the soak suite (test/suite/soak.suite.ts) in code-server with this checkout as the extension, and reads
 * back its report: shared by the real-VS Code test and `npm run soak`.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { SoakOptions } from '../suite/soakPlan';
import type { SoakReport } from '../suite/soakReport';
import { CodeServer, launchChromium, makeWorkspace, repoRoot } from './codeServer';

export interface SoakRun {
  /** The suite's exit code: 0 when every assertion held. */
  code: number;
  /** Absent when the suite failed before the soak ended. */
  report?: SoakReport;
  /** What the extension host logged (mocha's results included). */
  output: string[];
  /** The Hearth output channel's lines (its log file), which say why completions failed. */
  hearthLog: string[];
}

/** The lines of every "Hearth" output channel log under code-server's home. */
function hearthLog(home: string): string[] {
  return readdirSync(home, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('Hearth.log'))
    .flatMap((path) => readFileSync(join(home, path), 'utf8').split('\n'));
}

export async function runSoakInCodeServer(options: SoakOptions, timeoutMs: number): Promise<SoakRun> {
  const scratch = mkdtempSync(join(tmpdir(), 'hearth-soak-'));
  const reportPath = join(scratch, 'report.json');
  const workspace = makeWorkspace();
  const variables = {
    HEARTH_TEST_GREP: 'soak',
    HEARTH_SOAK_REQUESTS: String(options.requests),
    HEARTH_SOAK_KILLS: String(options.kills),
    HEARTH_SOAK_SEED: String(options.seed),
    HEARTH_SOAK_REPORT: reportPath,
  };
  const saved = Object.fromEntries(Object.keys(variables).map((name) => [name, process.env[name]]));
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    // code-server, and so the extension host, inherits the environment it starts with.
    Object.assign(process.env, variables);
    try {
      server = await CodeServer.start();
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
    browser = await launchChromium();
    const page = await browser.newPage();
    const output: string[] = [];
    page.on('console', (message) => output.push(message.text()));
    const exitCode = new Promise<number>((resolve) => {
      void page.exposeFunction('codeAutomationExit', (code: number) => resolve(code));
    });
    await page.goto(server.devWorkbenchUrl(workspace, join(repoRoot, 'out', 'test', 'suite', 'index.js')));
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      exitCode,
      new Promise<number>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`The soak did not finish in ${timeoutMs} ms.`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
    let report: SoakReport | undefined;
    try {
      report = JSON.parse(readFileSync(reportPath, 'utf8')) as SoakReport;
    } catch {
      report = undefined; // the suite failed before writing it: the output says why
    }
    return { code, output, hearthLog: hearthLog(server.home), ...(report && { report }) };
  } finally {
    await browser?.close();
    await server?.stop();
    rmSync(workspace, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}
