import * as vscode from 'vscode';
import type { ModelRole } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { ModelSession, type FirstModelChooser } from './modelSession';
import type { ModelRoleSource } from './modelSource';

/**
 * The engine's models by role: the chat model (hearth.model.path) and, loaded beside it when configured, a
 * reasoning model for refactors (hearth.model.reasoningPath) and a completion model (hearth.model.completionPath).
 */
export class ModelRoles implements ModelRoleSource, vscode.Disposable {
  readonly chat: ModelSession;
  private readonly reasoning: ModelSession;
  private readonly completion: ModelSession;

  private readonly completionModelEmitter = new vscode.EventEmitter<void>();
  /** Fires when the chat or the completion model is loaded, replaced or freed: either may serve completions. */
  readonly onDidChangeCompletionModel = this.completionModelEmitter.event;
  private readonly subscriptions: vscode.Disposable[];

  /** `serving`: the local engine serves models now (hearth.engine.kind "local"); default always. */
  constructor(engine: EngineSupervisor, chooser: FirstModelChooser, serving?: () => boolean) {
    this.chat = new ModelSession(engine, chooser, 'chat', serving);
    this.reasoning = new ModelSession(engine, undefined, 'reasoning', serving);
    this.completion = new ModelSession(engine, undefined, 'completion', serving);
    this.subscriptions = [this.chat, this.completion].map((session) =>
      session.onDidChangeModel(() => this.completionModelEmitter.fire()),
    );
  }

  /** The session serving a kind of request: the role's own model when one is configured, else the chat model. */
  sessionFor(role: ModelRole): ModelSession {
    const own = role === 'reasoning' ? this.reasoning : role === 'completion' ? this.completion : this.chat;
    return own.configured ? own : this.chat;
  }

  /** Frees every role's model, as when a remote server takes over. */
  async unload(): Promise<void> {
    await Promise.all([this.chat, this.reasoning, this.completion].map((session) => session.unload()));
  }

  dispose(): void {
    vscode.Disposable.from(
      ...this.subscriptions,
      this.completionModelEmitter,
      this.chat,
      this.reasoning,
      this.completion,
    ).dispose();
  }
}
