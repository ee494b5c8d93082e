/**
 * How a context block is spelt. Every piece ends with a newline and starts with a special token or a
 * non-blank character, so that the tokenizer splits the block exactly between pieces: the block's token count
 * is the sum of its pieces' counts, which the packer counts once and caches.
 *
 * - `qwen`: Qwen2.5-Coder / Qwen3's repository-level pretraining format, `<|repo_name|>name` then
 *   `<|file_sep|>path` + content per file.
 * - `markdown`: the path, then the content in a code fence; for models or prompts without those tokens.
 */
export type ContextFormatName = 'qwen' | 'markdown';

export const CONTEXT_FORMATS: readonly ContextFormatName[] = ['qwen', 'markdown'];

export interface SummaryCounts {
  readonly whole: number;
  readonly outlined: number;
  readonly listed: number;
  readonly omitted: number;
}

export interface ContextFormat {
  header(repoName: string): string;
  wholeFile(path: string, content: string, fence: string): string;
  /** `outline` as rendered by outline.ts. */
  outline(path: string, outline: string, fence: string): string;
  /** Heads the list of paths shown by name only and the summary; may be '' when no path is listed. */
  listHeader(pathCount: number): string;
  listedPath(path: string): string;
  summary(counts: SummaryCounts): string;
}

const REPO_NAME = '<|repo_name|>';
const FILE_SEP = '<|file_sep|>';

const qwen: ContextFormat = {
  header: (repoName) => `${REPO_NAME}${repoName}\n`,
  wholeFile: (path, content) => `${FILE_SEP}${path}\n${withFinalNewline(content)}`,
  outline: (path, outline) => `${FILE_SEP}${path}\n${outline}`,
  // Always present: the summary needs a separator from the last file's content.
  // Always there: the summary needs a separator from the last file's content.
  listHeader: () => `${FILE_SEP}[files not shown in full]\n`,
  listedPath: (path) => `${path}\n`,
  summary: (counts) => `[${describe(counts)}]\n`,
};

const markdown: ContextFormat = {
  header: (repoName) => `Repository: ${repoName}\n\n`,
  wholeFile: (path, content, fence) => fenced(path, content, fence),
  outline: (path, outline, fence) => fenced(`${path} (outline: signature lines only)`, outline, fence),
  listHeader: (pathCount) => (pathCount === 0 ? '' : 'Files not shown in full:\n'),
  listedPath: (path) => `- ${path}\n`,
  summary: (counts) => `(${describe(counts)})\n`,
};

export function contextFormat(name: ContextFormatName): ContextFormat {
  return name === 'markdown' ? markdown : qwen;
}

function describe({ whole, outlined, listed, omitted }: SummaryCounts): string {
  const shown = `Repository context: ${plural(whole, 'file')} whole, ${outlined} as outlines (signature lines only, ⋮ marks omitted lines), ${listed} by path only`;
  return omitted === 0 ? `${shown}; nothing left out.` : `${shown}; ${plural(omitted, 'more file')} left out.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** A fence longer than any backtick run in the text, so the text cannot close it early. */
function fenced(title: string, text: string, language: string): string {
  const longestRun = Math.max(0, ...(text.match(/`{3,}/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longestRun + 1));
  return `${title}\n${fence}${language}\n${withFinalNewline(text)}${fence}\n\n`;
}

function withFinalNewline(text: string): string {
  return text.length === 0 || text.endsWith('\n') ? text : `${text}\n`;
}
