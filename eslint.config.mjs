// Lint rules, including the one-way layers of docs/architecture.md:
//   shared ← engine, extension, webview   (and engine/extension/webview never import each other)
//   inside src/engine, each folder imports only the folders listed for it in engineLayers
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importPlugin from 'eslint-plugin-import';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const layers = ['shared', 'engine', 'extension', 'webview'];

/** Each layer may import only itself and `shared`; `shared` imports nothing of ours. */
const layerZones = layers.flatMap((target) =>
  layers
    .filter((from) => from !== target && from !== 'shared')
    .map((from) => ({
      target: `./src/${target}`,
      from: `./src/${from}`,
      message:
        target === 'shared'
          ? 'src/shared imports nothing of ours: it is the bottom layer.'
          : `src/${target} must not import src/${from}: layers are one-way (shared ← engine, extension, webview). Move shared types to src/shared.`,
    })),
);

/** The engine folders below its doors (rpc, serve, cli), which each door may import. */
const belowTheDoors = [
  'base',
  'random',
  'checkpoint',
  'text',
  'onnx',
  'context',
  'library',
  'model',
  'synthetic',
  'generation',
];

/**
 * Each engine folder, with the engine folders it may import besides itself (all may import src/shared): everything
 * below it in docs/architecture.md's diagram.
 */
const engineLayers = {
  base: [],
  random: [],
  checkpoint: ['base', 'random'],
  text: ['base', 'random', 'checkpoint'],
  onnx: ['base', 'random', 'checkpoint'],
  context: ['base'],
  library: ['base', 'random', 'checkpoint', 'text', 'onnx'],
  model: ['base', 'random', 'checkpoint', 'text', 'onnx', 'library'],
  synthetic: ['base', 'random', 'checkpoint', 'text'],
  generation: ['base', 'random', 'checkpoint', 'text', 'onnx', 'context', 'library', 'model'],
  rpc: belowTheDoors,
  serve: belowTheDoors,
  cli: [...belowTheDoors, 'serve'],
};
const engineFolders = Object.keys(engineLayers);

/** An import outside a folder's list fails, and nothing imports src/engine/main.ts (it wires the rest). */
const engineZones = engineFolders.flatMap((target) => [
  ...engineFolders
    .filter((from) => from !== target && !engineLayers[target].includes(from))
    .map((from) => ({
      target: `./src/engine/${target}`,
      from: `./src/engine/${from}`,
      message: `src/engine/${target} must not import src/engine/${from}: engine layers are one-way (${target} may import ${engineLayers[target].join(', ') || 'only src/shared'}; see docs/architecture.md).`,
    })),
  {
    target: `./src/engine/${target}`,
    from: './src/engine/main.ts',
    message: 'Nothing imports src/engine/main.ts: it only wires the engine together.',
  },
]);

const noVscode = { name: 'vscode', message: 'Only src/extension may import vscode.' };

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'out/**',
      'media/webview.js',
      'node_modules/**',
      'test/vscode-host/node_modules/**',
      '.test-artifacts/**',
      '**/*.vsix',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { import: importPlugin },
    settings: {
      'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.json'] } },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            {
              from: 'package',
              package: 'node:test',
              name: ['describe', 'it', 'test', 'suite', 'before', 'after', 'beforeEach', 'afterEach'],
            },
          ],
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'import/no-restricted-paths': ['error', { zones: [...layerZones, ...engineZones] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noVscode,
            ...nodeBuiltins.map((name) => ({ name, message: 'src/shared is pure TypeScript: no Node modules.' })),
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] },
  },
  {
    files: ['src/webview/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            noVscode,
            ...nodeBuiltins.map((name) => ({ name, message: 'The webview runs in a browser: no Node modules.' })),
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        Buffer: 'readonly',
      },
    },
  },
);
