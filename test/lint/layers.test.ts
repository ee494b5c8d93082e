/**
 * The one-way layers of docs/architecture.md, between src folders and between engine folders, are enforced
 * by `npm run lint`: these cases lint real source text at real paths through the project's own
 * eslint.config.mjs, so a broken rule fails here.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
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
      "import { EngineServer } from '../engine/rpc/engineServer';",
      /src\/extension must not import src\/engine/,
    ],
    [
      'src/webview/probe.ts',
      "import { renderChatHtml } from '../extension/webviewHtml';",
      /src\/webview must not import src\/extension/,
    ],
    ['src/shared/probe.ts', "import { Logger } from '../engine/base/logger';", /src\/shared imports nothing of ours/],
    ['src/engine/probe.ts', "import * as vscode from 'vscode';", /Only src\/extension may import vscode/],
    ['src/shared/probe.ts', "import { readFileSync } from 'node:fs';", /src\/shared is pure TypeScript/],
    ['src/webview/probe.ts', "import { join } from 'path';", /The webview runs in a browser/],
    [
      'src/engine/onnx/probe.ts',
      "import { loadModel } from '../model/modelLoader';",
      /src\/engine\/onnx must not import src\/engine\/model: engine layers are one-way/,
    ],
    [
      'src/engine/checkpoint/probe.ts',
      "import { Tokenizer } from '../text/tokenizer';",
      /src\/engine\/checkpoint must not import src\/engine\/text/,
    ],
    [
      'src/engine/library/probe.ts',
      "import { loadModel } from '../model/modelLoader';",
      /src\/engine\/library must not import src\/engine\/model/,
    ],
    [
      'src/engine/context/probe.ts',
      "import { GenerationService } from '../generation/generationService';",
      /src\/engine\/context must not import src\/engine\/generation/,
    ],
    [
      'src/engine/base/probe.ts',
      "import { openCheckpoint } from '../checkpoint/checkpoint';",
      /src\/engine\/base must not import src\/engine\/checkpoint/,
    ],
    [
      'src/engine/generation/probe.ts',
      "import { EngineServer } from '../rpc/engineServer';",
      /src\/engine\/generation must not import src\/engine\/rpc/,
    ],
    [
      'src/engine/cli/probe.ts',
      "import { EngineServer } from '../rpc/engineServer';",
      /src\/engine\/cli must not import src\/engine\/rpc/,
    ],
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
    [
      'src/engine/generation/probe.ts',
      "import { loadModel } from '../model/modelLoader';\nimport { OnnxDecoder } from '../onnx/onnxDecoder';\nimport { TokenCountCache } from '../context/tokenCountCache';",
    ],
    ['src/engine/model/probe.ts', "import { chooseKvCache } from '../library/kvCacheChoice';"],
    ['src/engine/rpc/probe.ts', "import { GenerationService } from '../generation/generationService';"],
    ['src/engine/probe.ts', "import { EngineServer } from './rpc/engineServer';"],
  ];
  for (const [path, code] of allowed) {
    it(`allows in ${path}: ${code.split('\n')[0]}`, async () => {
      assert.deepEqual(await layerErrors(path, `${code}\n`), []);
    });
  }

  // A folder missing from eslint.config.mjs's engineLayers would have no zones: every folder must have them.
  const engineFolders = readdirSync(join(root, 'src', 'engine'), { withFileTypes: true }).filter((e) =>
    e.isDirectory(),
  );
  for (const { name } of engineFolders) {
    it(`declares src/engine/${name} as a layer (it may not import main.ts)`, async () => {
      const errors = await layerErrors(`src/engine/${name}/probe.ts`, "import '../main';\n");
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(errors[0], /Nothing imports src\/engine\/main\.ts/);
    });
  }
});
