// Lint rules, including the one-way layers of ARCHITECTURE.md:
//   shared ← engine, extension, webview   (and engine/extension/webview never import each other)
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
      'import/no-restricted-paths': ['error', { zones: layerZones }],
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
