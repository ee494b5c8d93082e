/**
 * The mentions a question carries: `@path` names a file to focus the repository context on, `#selection`
 * includes the active editor's selection. Pure: resolving paths against the workspace is the caller's job.
 */
export interface FileMention {
  /** As typed, `@` included, for notes about it. */
  raw: string;
  /** The path without `@`, quotes and trailing punctuation. */
  path: string;
  /** It has a `/`, `\` or `.`: a note says so when it matches no file. Others (`@Override`) may be code. */
  pathLike: boolean;
}

export interface QuestionMentions {
  files: FileMention[];
  selection: boolean;
}

// `@` at a word start (not in an e-mail address or `@@`), then a backquoted path or a run of path characters.
const fileMention = /(?<![\w@`])@(?:`([^`\n]+)`|([^\s`'"()<>[\]{},;]+))/g;
const selectionMention = /(?<![\w#])#selection\b/i;
const trailingPunctuation = /[.,:;!?]+$/;

export function parseMentions(question: string): QuestionMentions {
  const files: FileMention[] = [];
  const seen = new Set<string>();
  for (const match of question.matchAll(fileMention)) {
    const quoted = match[1];
    const path = quoted !== undefined ? quoted.trim() : (match[2] ?? '').replace(trailingPunctuation, '');
    if (path === '' || seen.has(path)) continue;
    seen.add(path);
    const raw = quoted !== undefined ? match[0] : `@${path}`;
    files.push({ raw, path, pathLike: /[/\\.]/.test(path) });
  }
  return { files, selection: selectionMention.test(question) };
}
