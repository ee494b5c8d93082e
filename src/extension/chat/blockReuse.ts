import type { ContextPackStats } from '../../shared/protocol';

/**
 * A conversation packs the repository once and sends the same block with every follow-up, so the engine's
 * prefix cache serves it (a new pack for another question or active file would rank, and so order, files
 * differently). It packs again only when the repository changed, the budget changed, or a question mentions
 * a file the block was not focused on.
 */
export interface PackedBlock {
  text: string;
  stats: ContextPackStats;
  budget: number;
  /** WorkspaceContext's content version when packed. */
  contentVersion: number;
  /** Absolute paths of the mentioned files the pack was focused on. */
  focusFiles: readonly string[];
}

export interface BlockWanted {
  budget: number;
  contentVersion: number;
  mentionedFiles: readonly string[];
}

export function reusableBlock(previous: PackedBlock | undefined, wanted: BlockWanted): PackedBlock | undefined {
  if (!previous) return undefined;
  if (previous.budget !== wanted.budget || previous.contentVersion !== wanted.contentVersion) return undefined;
  return wanted.mentionedFiles.every((path) => previous.focusFiles.includes(path)) ? previous : undefined;
}

/** The files to focus a new pack on: what the conversation mentioned before stays in focus. */
export function focusFilesFor(previous: PackedBlock | undefined, mentionedFiles: readonly string[]): string[] {
  return [...new Set([...mentionedFiles, ...(previous?.focusFiles ?? [])])];
}
