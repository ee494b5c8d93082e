import type { ContextPackParams } from '../../shared/protocol';

/**
 * How a context block is spelt. Every piece ends with a newline and starts with a special token or a
 * non-blank character, so that the tokenizer splits the block exactly between pieces: the block's token count
 * is the sum of its pieces' counts, which the packer counts once and caches.
 *
 * - `qwen`: Qwen2.5-Coder / Qwen3's repository-level pretraining format, `<|repo_name|>name` then
 *   `<|file_sep|>path` + content per file.
 * - `markdown`: the path, then the content in a code fence; for models or prompts without those tokens.
 */
export type ContextFormatName = NonNullable<ContextPackParams['format']>;

export interface PartCounts {
  readonly whole: number;
  readonly excerpts: number;
  readonly outlined: number;
}

export interface SummaryCounts {
  /** The part that is the same for every request, and the part chosen for this one. */
  readonly overview: PartCounts;
  readonly request: PartCounts;
  /** Files the map names, and all files. */
  readonly named: number;
  readonly files: number;
}

export interface ContextFormat {
  header(repoName: string): string;
  wholeFile(path: string, content: string, fence: string): string;
  /** `outline` as rendered by outline.ts. */
  outline(path: string, outline: string, fence: string): string;
  /** `excerpt` as rendered by retrieval/excerpt.ts: numbered lines like an outline, some of them whole. */
  excerpt(path: string, excerpt: string, fence: string): string;
  /** `map` as rendered by repositoryMap.ts. */
  map(map: string): string;
  summary(counts: SummaryCounts): string;
}

const REPO_NAME = '<|repo_name|>';
const FILE_SEP = '<|file_sep|>';

const qwen: ContextFormat = {
  header: (repoName) => `${REPO_NAME}${repoName}\n`,
  wholeFile: (path, content) => `${FILE_SEP}${path}\n${withFinalNewline(content)}`,
  outline: (path, outline) => `${FILE_SEP}${path}\n${outline}`,
  excerpt: (path, excerpt) => `${FILE_SEP}${path}\n${excerpt}`,
  map: (map) => `${FILE_SEP}[repository map]\n${map}`,
  // After a separator: the summary must not read as the last file's content.
  summary: (counts) => `${FILE_SEP}[about this context]\n${describe(counts)}\n`,
};

const markdown: ContextFormat = {
  header: (repoName) => `Repository: ${repoName}\n\n`,
  wholeFile: (path, content, fence) => fenced(path, content, fence),
  outline: (path, outline, fence) => fenced(`${path} (outline: signature lines only)`, outline, fence),
  excerpt: (path, excerpt, fence) => fenced(`${path} (excerpt: the parts that match the request)`, excerpt, fence),
  map: (map) => fenced('Repository map (every folder)', map, ''),
  summary: (counts) => `(${describe(counts)})\n`,
};

export function contextFormat(name: ContextFormatName): ContextFormat {
  return name === 'markdown' ? markdown : qwen;
}

function describe({ overview, request, named, files }: SummaryCounts): string {
  const part = ({ whole, excerpts, outlined }: PartCounts): string =>
    `${plural(whole, 'file')} whole, ${plural(excerpts, 'excerpt')}, ${plural(outlined, 'outline')}`;
  return (
    `Repository context: first an overview, the same for every request (${part(overview)}), then what this ` +
    `request needs (${part(request)}). Outlines and excerpts show numbered lines, ⋮ marks lines left out. ` +
    `The map names ${named} of ${plural(files, 'file')}; every folder is in it.`
  );
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
