/**
 * The languages the context index recognises. Those with a `grammar` are parsed for definitions and
 * references; the rest are indexed as plain text (whole files or paths, never outlines). Language ids are VS
 * Code's, so the extension's `document.languageId` and ours agree.
 */
import { posix } from 'node:path';

/** Grammars shipped by @vscode/tree-sitter-wasm that have queries in symbolQueries.ts. */
export type GrammarName =
  'typescript' | 'tsx' | 'javascript' | 'python' | 'go' | 'rust' | 'java' | 'c-sharp' | 'cpp' | 'ruby' | 'php' | 'bash';

export interface LanguageInfo {
  readonly id: string;
  readonly displayName: string;
  /** Lower-case, with the dot. */
  readonly extensions: readonly string[];
  /** Exact file names without a telling extension (`Makefile`). */
  readonly fileNames?: readonly string[];
  readonly grammar?: GrammarName;
  /** The info string of a Markdown code fence. */
  readonly fence: string;
}

export const PLAIN_TEXT_LANGUAGE_ID = 'plaintext';

export const LANGUAGES: readonly LanguageInfo[] = [
  {
    id: 'typescript',
    displayName: 'TypeScript',
    extensions: ['.ts', '.mts', '.cts'],
    grammar: 'typescript',
    fence: 'typescript',
  },
  { id: 'typescriptreact', displayName: 'TypeScript JSX', extensions: ['.tsx'], grammar: 'tsx', fence: 'tsx' },
  {
    id: 'javascript',
    displayName: 'JavaScript',
    extensions: ['.js', '.mjs', '.cjs'],
    grammar: 'javascript',
    fence: 'javascript',
  },
  { id: 'javascriptreact', displayName: 'JavaScript JSX', extensions: ['.jsx'], grammar: 'javascript', fence: 'jsx' },
  { id: 'python', displayName: 'Python', extensions: ['.py', '.pyi', '.pyw'], grammar: 'python', fence: 'python' },
  { id: 'go', displayName: 'Go', extensions: ['.go'], grammar: 'go', fence: 'go' },
  { id: 'rust', displayName: 'Rust', extensions: ['.rs'], grammar: 'rust', fence: 'rust' },
  { id: 'java', displayName: 'Java', extensions: ['.java'], grammar: 'java', fence: 'java' },
  { id: 'csharp', displayName: 'C#', extensions: ['.cs'], grammar: 'c-sharp', fence: 'csharp' },
  {
    id: 'cpp',
    displayName: 'C++',
    extensions: ['.cpp', '.cc', '.cxx', '.c++', '.hpp', '.hh', '.hxx', '.h++', '.ipp', '.inl'],
    grammar: 'cpp',
    fence: 'cpp',
  },
  // No C grammar ships; the C++ grammar reads C well enough for definitions and references.
  { id: 'c', displayName: 'C (C++ grammar)', extensions: ['.c', '.h'], grammar: 'cpp', fence: 'c' },
  {
    id: 'ruby',
    displayName: 'Ruby',
    extensions: ['.rb', '.rake', '.gemspec'],
    fileNames: ['Rakefile', 'Gemfile'],
    grammar: 'ruby',
    fence: 'ruby',
  },
  { id: 'php', displayName: 'PHP', extensions: ['.php', '.phtml'], grammar: 'php', fence: 'php' },
  { id: 'shellscript', displayName: 'Shell', extensions: ['.sh', '.bash', '.zsh'], grammar: 'bash', fence: 'bash' },
  { id: 'css', displayName: 'CSS', extensions: ['.css'], fence: 'css' },
  { id: 'scss', displayName: 'SCSS', extensions: ['.scss'], fence: 'scss' },
  { id: 'less', displayName: 'Less', extensions: ['.less'], fence: 'less' },
  { id: 'html', displayName: 'HTML', extensions: ['.html', '.htm'], fence: 'html' },
  { id: 'vue', displayName: 'Vue', extensions: ['.vue'], fence: 'vue' },
  { id: 'svelte', displayName: 'Svelte', extensions: ['.svelte'], fence: 'svelte' },
  { id: 'markdown', displayName: 'Markdown', extensions: ['.md', '.markdown', '.mdx'], fence: 'markdown' },
  { id: 'json', displayName: 'JSON', extensions: ['.json'], fence: 'json' },
  {
    id: 'jsonc',
    displayName: 'JSON with comments',
    extensions: ['.jsonc'],
    fileNames: ['tsconfig.json', '.eslintrc.json'],
    fence: 'jsonc',
  },
  { id: 'yaml', displayName: 'YAML', extensions: ['.yml', '.yaml'], fence: 'yaml' },
  { id: 'toml', displayName: 'TOML', extensions: ['.toml'], fence: 'toml' },
  { id: 'xml', displayName: 'XML', extensions: ['.xml', '.xsd', '.csproj', '.props', '.targets'], fence: 'xml' },
  { id: 'ini', displayName: 'INI', extensions: ['.ini', '.cfg', '.conf'], fence: 'ini' },
  { id: 'sql', displayName: 'SQL', extensions: ['.sql'], fence: 'sql' },
  { id: 'graphql', displayName: 'GraphQL', extensions: ['.graphql', '.gql'], fence: 'graphql' },
  { id: 'proto3', displayName: 'Protocol Buffers', extensions: ['.proto'], fence: 'protobuf' },
  { id: 'powershell', displayName: 'PowerShell', extensions: ['.ps1', '.psm1', '.psd1'], fence: 'powershell' },
  {
    id: 'dockerfile',
    displayName: 'Dockerfile',
    extensions: ['.dockerfile'],
    fileNames: ['Dockerfile', 'Containerfile'],
    fence: 'dockerfile',
  },
  {
    id: 'makefile',
    displayName: 'Makefile',
    extensions: ['.mk'],
    fileNames: ['Makefile', 'GNUmakefile'],
    fence: 'makefile',
  },
  { id: 'kotlin', displayName: 'Kotlin', extensions: ['.kt', '.kts'], fence: 'kotlin' },
  { id: 'swift', displayName: 'Swift', extensions: ['.swift'], fence: 'swift' },
  { id: 'scala', displayName: 'Scala', extensions: ['.scala', '.sc'], fence: 'scala' },
  { id: 'dart', displayName: 'Dart', extensions: ['.dart'], fence: 'dart' },
  { id: 'lua', displayName: 'Lua', extensions: ['.lua'], fence: 'lua' },
  { id: 'perl', displayName: 'Perl', extensions: ['.pl', '.pm'], fence: 'perl' },
  { id: 'r', displayName: 'R', extensions: ['.r'], fence: 'r' },
  { id: 'elixir', displayName: 'Elixir', extensions: ['.ex', '.exs'], fence: 'elixir' },
  { id: 'haskell', displayName: 'Haskell', extensions: ['.hs'], fence: 'haskell' },
  { id: 'zig', displayName: 'Zig', extensions: ['.zig'], fence: 'zig' },
  { id: PLAIN_TEXT_LANGUAGE_ID, displayName: 'Plain text (any other text file)', extensions: ['.txt'], fence: 'text' },
];

const byId = new Map(LANGUAGES.map((language) => [language.id, language]));
const byFileName = new Map(
  LANGUAGES.flatMap((language) => (language.fileNames ?? []).map((name) => [name, language] as const)),
);
const byExtension = new Map(
  LANGUAGES.flatMap((language) => language.extensions.map((extension) => [extension, language] as const)),
);

/** The language of a file from its name; unknown names are plain text. */
export function languageForPath(path: string): LanguageInfo {
  const name = posix.basename(path.replaceAll('\\', '/'));
  return byFileName.get(name) ?? byExtension.get(posix.extname(name).toLowerCase()) ?? plainText();
}

export function languageById(id: string): LanguageInfo {
  return byId.get(id) ?? plainText();
}

function plainText(): LanguageInfo {
  return byId.get(PLAIN_TEXT_LANGUAGE_ID)!;
}
