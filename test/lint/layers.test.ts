/**
 * The one-way layers of ARCHITECTURE.md are enforced by `npm run lint`: these cases lint real source text
 * at real paths through the project's own eslint.config.mjs, so a broken rule fails here.
 */
import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { before, describe, it } from 'node:test';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '..', '..');
let eslint: ESLint;

async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  assert.ok(result, `no lint result for ${path}`);
  return result.messages
    .filter((m) => m.ruleId === 'import/no-restricted-paths' || m.ruleId === 'no-restricted-imports')
    .map((m) => m.message);
}

describe('layer rules (eslint.config.mjs)', () => {
  before(() => {
    // Only the import rules: type-aware rules need the file on disk, these do not.
    eslint = new ESLint({
      cwd: root,
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
      ruleFilter: ({ ruleId }) => ruleId === 'import/no-restricted-paths' || ruleId === 'no-restricted-imports',
    });
  });

  const forbidden: [string, string, RegExp][] = [
    [
      'src/engine/probe.ts',
      "import { activate } from '../extension/extension';",
      /src\/engine must not import src\/extension/,
    ],
    [
      'src/extension/probe.ts',
      "import { EngineServer } from '../engine/engineServer';",
      /src\/extension must not import src\/engine/,
    ],
    [
      'src/webview/probe.ts',
      "import { renderChatHtml } from '../extension/webviewHtml';",
      /src\/webview must not import src\/extension/,
    ],
    ['src/shared/probe.ts', "import { Logger } from '../engine/logger';", /src\/shared imports nothing of ours/],
    ['src/engine/probe.ts', "import * as vscode from 'vscode';", /Only src\/extension may import vscode/],
    ['src/shared/probe.ts', "import { readFileSync } from 'node:fs';", /src\/shared is pure TypeScript/],
    ['src/webview/probe.ts', "import { join } from 'path';", /The webview runs in a browser/],
  ];
  for (const [path, code, message] of forbidden) {
    it(`rejects in ${path}: ${code}`, async () => {
      const errors = await layerErrors(path, `${code}\n`);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], message);
    });
  }

  const allowed: [string, string][] = [
    [
      'src/engine/probe.ts',
      "import { EngineError } from '../shared/engineError';\nimport { readFileSync } from 'node:fs';",
    ],
    [
      'src/extension/probe.ts',
      "import * as vscode from 'vscode';\nimport { PROTOCOL_VERSION } from '../shared/protocol';",
    ],
    ['src/webview/probe.ts', "import type { EngineState } from '../shared/webviewProtocol';"],
  ];
  for (const [path, code] of allowed) {
    it(`allows in ${path}: ${code.split('\n')[0]}`, async () => {
      assert.deepEqual(await layerErrors(path, `${code}\n`), []);
    });
  }
});
