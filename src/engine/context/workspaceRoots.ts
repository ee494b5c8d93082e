/**
 * The folders a context index covers, and the mapping between absolute paths and index paths. With one root an
 * index path is relative to it (`src/a.ts`); with several it starts with the root's label (`api/src/a.ts`), as
 * VS Code names the folders of a multi-root workspace.
 */
import { realpathSync, statSync } from 'node:fs';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

export interface WorkspaceRoot {
  /** Absolute, as given (resolved). */
  readonly path: string;
  /** With symlinks resolved: what "inside the roots" is checked against. */
  readonly realPath: string;
  /** Prefix of this root's index paths; '' when it is the only root. */
  readonly label: string;
}

export interface LocatedPath {
  readonly root: WorkspaceRoot;
  /** Relative to the root, posix separators; '' for the root itself. */
  readonly relative: string;
  /** The index path. */
  readonly path: string;
  readonly absolutePath: string;
}

export function resolveRoots(roots: readonly string[]): WorkspaceRoot[] {
  if (!Array.isArray(roots) || roots.length === 0) {
    throw new EngineError(
      EngineErrorCode.InvalidParams,
      'No workspace roots were given',
      'Open a folder or workspace before building the repository context.',
    );
  }
  const labels = new Set<string>();
  return roots.map((root) => {
    if (typeof root !== 'string' || !isAbsolute(root)) {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `Workspace root "${String(root)}" is not an absolute path`,
        'Send workspace folders as absolute file-system paths.',
      );
    }
    const path = resolve(root);
    let realPath: string;
    try {
      if (!statSync(path).isDirectory()) throw new Error('not a folder');
      realPath = realpathSync(path);
    } catch {
      throw new EngineError(
        EngineErrorCode.InvalidParams,
        `Workspace root ${path} is not a readable folder`,
        'Check that the folder exists and that you can read it.',
      );
    }
    return { path, realPath, label: roots.length === 1 ? '' : uniqueLabel(basename(path) || 'root', labels) };
  });
}

function uniqueLabel(name: string, taken: Set<string>): string {
  let label = name;
  for (let n = 2; taken.has(label); n++) label = `${name}-${n}`;
  taken.add(label);
  return label;
}

export function indexPath(root: WorkspaceRoot, relative: string): string {
  if (root.label === '') return relative;
  return relative === '' ? root.label : `${root.label}/${relative}`;
}

/**
 * Finds the root of an absolute path (as given or through the root's real path) or of an index path; undefined
 * when the path lies outside every root.
 */
export function locatePath(roots: readonly WorkspaceRoot[], path: string): LocatedPath | undefined {
  if (isAbsolute(path)) {
    const absolute = resolve(path);
    // Nested roots: the deepest one owns the path.
    const candidates = [...roots].sort((a, b) => b.path.length - a.path.length);
    for (const root of candidates) {
      for (const base of [root.path, root.realPath]) {
        if (absolute !== base && !absolute.startsWith(base + sep)) continue;
        const relative = absolute
          .slice(base.length + 1)
          .split(sep)
          .join('/');
        return located(root, relative);
      }
    }
    return undefined;
  }
  const normalized = path.replaceAll('\\', '/').replace(/^\.\//, '').replace(/\/+$/, '');
  if (normalized.split('/').some((segment) => segment === '..')) return undefined;
  if (roots.length === 1) return located(roots[0], normalized);
  const slash = normalized.indexOf('/');
  const label = slash === -1 ? normalized : normalized.slice(0, slash);
  const root = roots.find((r) => r.label === label);
  return root === undefined ? undefined : located(root, slash === -1 ? '' : normalized.slice(slash + 1));
}

function located(root: WorkspaceRoot, relative: string): LocatedPath {
  return {
    root,
    relative,
    path: indexPath(root, relative),
    absolutePath: relative === '' ? root.path : join(root.path, ...relative.split('/')),
  };
}

export function isInsideRoots(roots: readonly WorkspaceRoot[], realPath: string): boolean {
  return roots.some((root) => realPath === root.realPath || realPath.startsWith(root.realPath + sep));
}
