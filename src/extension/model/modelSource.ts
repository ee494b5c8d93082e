import type * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../../shared/protocol';
import type { ModelStatus } from './modelStatusText';

/**
 * A model that serves a role, as chat, Explain, refactors, completions and the status bar use it: a model the
 * local engine loads (ModelSession) or one an OpenAI-compatible server serves (RemoteModelSession).
 */
export interface ModelSource {
  readonly role: ModelRole;
  /** The settings name a model for this role. */
  readonly configured: boolean;
  /** The model being served, if it is ready. */
  readonly model: ModelInfo | undefined;
  readonly status: ModelStatus;
  readonly onDidChangeModel: vscode.Event<ModelInfo | undefined>;
  readonly onDidChangeStatus: vscode.Event<ModelStatus>;
  /** A load or check that no request waited for failed: the error, to show at once. */
  readonly onDidFailInBackground: vscode.Event<unknown>;
  /** The model, made ready if need be (loaded, or found on the server). */
  ensureLoaded(): Promise<ModelInfo>;
  /** ensureLoaded for no request in particular: a failure shows in the status and through onDidFailInBackground. */
  loadInBackground(): void;
  /** The decode speed of an answer or completion, for the status bar. */
  reportSpeed(tokensPerSecond: number): void;
}

/** The models by role: each role's own, or the chat model where a role has none. */
export interface ModelRoleSource {
  readonly chat: ModelSource;
  sessionFor(role: ModelRole): ModelSource;
  /** Fires when the model that serves completions may have changed. */
  readonly onDidChangeCompletionModel: vscode.Event<void>;
}
