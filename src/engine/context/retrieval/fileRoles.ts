/**
 * What a file is for, from its path alone: the documents and manifests a newcomer reads first, the code, and
 * what only supports the code (tests, fixtures, examples, generated and vendored files, data).
 */
import { posix } from 'node:path';

export const FILE_ROLES = [
  'readme',
  'manifest',
  'docs',
  'entryPoint',
  'buildConfig',
  'source',
  'test',
  'example',
  'fixture',
  'generated',
  'vendored',
  'data',
] as const;

export type FileRole = (typeof FILE_ROLES)[number];

const MANIFESTS = new Set([
  'package.json',
  'pyproject.toml',
  'setup.py',
  'setup.cfg',
  'cargo.toml',
  'go.mod',
  'cmakelists.txt',
  'meson.build',
  'configure.ac',
  'pom.xml',
  'build.gradle',
  'build.gradle.kts',
  'gemfile',
  'composer.json',
  'deno.json',
  'pubspec.yaml',
  'mix.exs',
  'build.zig',
]);
const BUILD_CONFIG =
  /^(makefile|gnumakefile|dockerfile|jenkinsfile|tsconfig(\..+)?\.json|tox\.ini|noxfile\.py|\.gitlab-ci\.yml|\.travis\.yml|azure-pipelines\.yml|(webpack|rollup|vite|esbuild|babel|jest|vitest|eslint)\.config\.[cm]?[jt]s|.+\.(gemspec|csproj|mk|cmake))$/;
const ENTRY_STEMS = new Set(['main', 'index', 'app', 'cli', 'server', '__main__', '__init__', 'lib', 'mod']);
const SOURCE_EXTENSIONS =
  /\.([cm]?[jt]sx?|py|go|rs|java|kt|cs|c|cc|cpp|cxx|h|hh|hpp|hxx|rb|php|swift|scala|sh|lua|zig|dart|ex|exs)$/;
const DATA_EXTENSIONS = /\.(json|ya?ml|toml|csv|tsv|xml|lock|ini|cfg|conf|env|txt|snap)$|^\.env/;

/** Folder names, matched whole and case-insensitively, that mark everything under them. */
const FOLDER_ROLES: readonly [RegExp, FileRole][] = [
  [/^(vendor|vendored|third[-_]?party|external|extern|deps|node_modules|bower_components)$/, 'vendored'],
  [/^(dist|build|out|gen|generated|__generated__|target)$/, 'generated'],
  [/^(fixtures?|testdata|test[-_]data|__snapshots__|snapshots|mocks?|__mocks__)$/, 'fixture'],
  [/^(examples?|samples?|demos?)$/, 'example'],
  [/^(tests?|__tests__|spec|specs|testing|e2e)$/, 'test'],
  [/^(docs?|documentation|man)$/, 'docs'],
  [/^(\.github|\.circleci|\.gitlab|ci)$/, 'buildConfig'],
];

export function fileRole(path: string): FileRole {
  const name = posix.basename(path).toLowerCase();
  const folders = posix.dirname(path).toLowerCase().split('/');
  for (const [pattern, role] of FOLDER_ROLES) {
    if (folders.some((folder) => pattern.test(folder))) return role === 'docs' && !isDocument(name) ? 'source' : role;
  }
  if (/^readme(\.[a-z]+)?$/.test(name)) return 'readme';
  if (MANIFESTS.has(name)) return 'manifest';
  if (BUILD_CONFIG.test(name)) return 'buildConfig';
  if (/\.(test|spec)\.[a-z]+$|^test_.+\.py$|_test\.(py|go|rb|c|cc|cpp)$/.test(name)) return 'test';
  if (/\.min\.[cm]?js$|\.pb\.go$|_pb2\.py$|\.generated\.[a-z]+$|\.g\.dart$/.test(name)) return 'generated';
  if (isDocument(name)) return 'docs';
  if (SOURCE_EXTENSIONS.test(name)) {
    const stem = name.slice(0, name.lastIndexOf('.'));
    return ENTRY_STEMS.has(stem) && folders.length === 1 ? 'entryPoint' : 'source';
  }
  return DATA_EXTENSIONS.test(name) ? 'data' : 'source';
}

function isDocument(name: string): boolean {
  return /\.(md|markdown|rst|adoc|txt)$/.test(name) && !/^(cmakelists|requirements.*)\.txt$/.test(name);
}

const MODULE_EXTENSION = /\.(d\.[cm]?ts|[cm]?tsx?|[cm]?jsx?)$/;
const OUTPUT_FOLDER = /^(src|lib|dist|out|build|esm|cjs)\//;

/**
 * JavaScript and declaration files that sit beside a TypeScript source of the same module (`client.js`,
 * `client.d.ts` and `src/client.ts` in a published package): build output, whatever folder it is in.
 */
export function compiledTwins(paths: readonly string[]): Set<string> {
  const moduleOf = (path: string): string => path.replace(MODULE_EXTENSION, '').replace(OUTPUT_FOLDER, '');
  const isSource = (path: string): boolean => /\.[cm]?tsx?$/.test(path) && !/\.d\.[cm]?ts$/.test(path);
  const sources = new Set(paths.filter(isSource).map(moduleOf));
  return new Set(paths.filter((path) => MODULE_EXTENSION.test(path) && !isSource(path) && sources.has(moduleOf(path))));
}

/** The role of each path, in order, compiled twins counted as generated. */
export function fileRoles(paths: readonly string[]): FileRole[] {
  const twins = compiledTwins(paths);
  return paths.map((path) => (twins.has(path) ? 'generated' : fileRole(path)));
}

/** How many folders deep a path is: 0 for a file at the root. */
export function pathDepth(path: string): number {
  let depth = 0;
  for (const char of path) if (char === '/') depth++;
  return depth;
}
