import type { ChatActivity } from '../shared/webviewProtocol';
import { repositoryPrefixText, type RepositoryPrefixState } from './context/repositoryPrefixState';

/** What the model session and the workspace index are doing, as far as the chat header cares. */
export interface ActivitySources {
  /** The model being loaded, by name, and how far its one-time weight conversion is (0–100), if known. */
  loading?: { name: string; percent?: number };
  /** The workspace index being built: its share done (0–1), if known. */
  indexing?: { fraction?: number };
  /** The repository prefix being computed in the background, or ready. */
  repository?: RepositoryPrefixState;
}

/**
 * The one activity the chat header shows beside the engine state: a model load first (nothing can answer until
 * it ends), else indexing, else the repository prefix; null when there is none. The status bar shows the same.
 */
export function chatActivity({ loading, indexing, repository }: ActivitySources): ChatActivity | null {
  if (loading)
    return {
      text: `Loading ${loading.name}…${loading.percent === undefined ? '' : ` ${Math.floor(loading.percent)}%`}`,
    };
  if (indexing)
    return {
      text: `Indexing the workspace…${indexing.fraction === undefined ? '' : ` ${Math.floor(indexing.fraction * 100)}%`}`,
    };
  if (repository) return { text: repositoryPrefixText(repository) };
  return null;
}
