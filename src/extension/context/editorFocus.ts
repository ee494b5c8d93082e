import { isAbsolute, join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { FileMention } from '../chat/mentionParser';
import type { SelectionQuote } from '../chat/chatMessages';

/** How many open editors focus the ranking (beyond that they say little). */
const MAX_OPEN_FILES = 50;

export interface EditorFocus {
  activeFile?: string;
  openFiles: string[];
}

/** The files the user is looking at: the active editor and the other open editor tabs, as absolute paths. */
export function editorFocus(): EditorFocus {
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeFile = active?.scheme === 'file' ? active.fsPath : undefined;
  const open = new Set<string>();
  for (const tab of vscode.window.tabGroups.all.flatMap((group) => group.tabs)) {
    if (
      tab.input instanceof vscode.TabInputText &&
      tab.input.uri.scheme === 'file' &&
      tab.input.uri.fsPath !== activeFile
    )
      open.add(tab.input.uri.fsPath);
  }
  return { ...(activeFile !== undefined && { activeFile }), openFiles: [...open].slice(0, MAX_OPEN_FILES) };
}

/** The editor to act on: the active one, or (while a view has focus) the first visible text editor. */
export function targetEditor(): vscode.TextEditor | undefined {
  return (
    vscode.window.activeTextEditor ??
    vscode.window.visibleTextEditors.find((editor) => ['file', 'untitled'].includes(editor.document.uri.scheme))
  );
}

/** The active editor's selection, quoted with its workspace-relative path and 1-based line range. */
export function selectionQuote(editor: vscode.TextEditor | undefined = targetEditor()): SelectionQuote | undefined {
  if (!editor || editor.selection.isEmpty) return undefined;
  const { start, end } = editor.selection;
  // A selection that ends at the start of a line does not include that line.
  const endLine = end.character === 0 && end.line > start.line ? end.line - 1 : end.line;
  return {
    path: vscode.workspace.asRelativePath(editor.document.uri),
    startLine: start.line + 1,
    endLine: endLine + 1,
    languageId: editor.document.languageId,
    text: editor.document.getText(editor.selection),
  };
}

/** `@path` mentions resolved to files in the workspace folders; a note for each path-like one that matches none. */
export async function resolveFileMentions(
  mentions: readonly FileMention[],
): Promise<{ files: string[]; notes: string[] }> {
  const files: string[] = [];
  const notes: string[] = [];
  for (const mention of mentions) {
    const found = await findWorkspaceFile(mention.path);
    if (found !== undefined) files.push(found);
    else if (mention.pathLike) notes.push(`${mention.raw} matches no file in the workspace.`);
  }
  return { files: [...new Set(files)], notes };
}

async function findWorkspaceFile(path: string): Promise<string | undefined> {
  const folders = (vscode.workspace.workspaceFolders ?? []).filter((folder) => folder.uri.scheme === 'file');
  const candidates = isAbsolute(path)
    ? [path]
    : folders.flatMap((folder) => {
        const normalized = path.replace(/^\.[/\\]/, '');
        const [first, ...rest] = normalized.split(/[/\\]/);
        // In a multi-root workspace paths may start with the folder's name, as asRelativePath writes them.
        const byName =
          folders.length > 1 && first === folder.name && rest.length > 0 ? [join(folder.uri.fsPath, ...rest)] : [];
        return [join(folder.uri.fsPath, normalized), ...byName];
      });
  for (const candidate of candidates) {
    if (!folders.some((folder) => isInside(folder.uri.fsPath, candidate))) continue;
    try {
      const stat = await vscode.workspace.fs.stat(vscode.Uri.file(candidate));
      if (stat.type & vscode.FileType.File) return candidate;
    } catch {
      // not there: try the next folder
    }
  }
  return undefined;
}

function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}
