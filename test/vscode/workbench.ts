/** A test's workbench: code-server and Chromium on a workspace, the Hearth view, and the temp folders they need. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { CodeServer, launchChromium, makeWorkspace } from './codeServer';

/** What a test undoes after it, last first. */
export type Cleanups = (() => Promise<void> | void)[];

export interface WorkbenchOptions {
  /** User settings beside the defaults. */
  settings?: Record<string, unknown>;
  /** A packaged extension to install; without one, this checkout is the extension under development. */
  vsix?: string;
  /** The folder to open, the caller's to remove; without one, a fresh makeWorkspace(). */
  workspace?: string;
}

export interface Workbench {
  server: CodeServer;
  workspace: string;
  page: Page;
}

/** The Hearth item of the activity bar, there once the extension's contributions are in. */
export const hearthViewButton = 'a.action-label[aria-label="Hearth"]';

/** A temp folder removed at cleanup. */
export function tempFolder(prefix: string, cleanups: Cleanups): string {
  const folder = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

/** Starts code-server, opens its workbench on the workspace in Chromium and waits until it shows. */
export async function openWorkbench(options: WorkbenchOptions, cleanups: Cleanups): Promise<Workbench> {
  const server = await CodeServer.start(options);
  cleanups.push(() => server.stop());
  const workspace = options.workspace ?? makeWorkspace();
  if (options.workspace === undefined) cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  await page.goto(
    options.vsix === undefined
      ? server.devWorkbenchUrl(workspace)
      : `${server.origin}/?folder=${encodeURIComponent(workspace)}`,
  );
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  return { server, workspace, page };
}

/** Opens the Hearth view from the activity bar and returns the frame of its chat webview. */
export async function openHearthView(page: Page): Promise<FrameLocator> {
  await page.locator(hearthViewButton).click({ timeout: 30_000 });
  return page.frameLocator('iframe.webview.ready').frameLocator('#active-frame');
}
