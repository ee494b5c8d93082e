import type * as vscode from 'vscode';
import type { ModelInfo, ModelRole } from '../../shared/protocol';
import type { EngineSupervisor } from '../engineSupervisor';
import { ModelSession, type FirstModelChooser } from './modelSession';

/**
 * The engine's models by role: the chat model (hearth.model.path) and, loaded beside it when configured, a
 * reasoning model for refactors (hearth.model.reasoningPath) and a completion model (hearth.model.completionPath).
 */
export class ModelRoles implements vscode.Disposable {
  readonly chat: ModelSession;
  private readonly reasoning: ModelSession;
  private readonly completion: ModelSession;

  constructor(engine: EngineSupervisor, chooser: FirstModelChooser) {
    this.chat = new ModelSession(engine, chooser);
    this.reasoning = new ModelSession(engine, undefined, 'reasoning');
    this.completion = new ModelSession(engine, undefined, 'completion');
  }

  /** Fires when any role's model is loaded, replaced or freed. */
  readonly onDidChangeModel: vscode.Event<ModelInfo | undefined> = (listener, thisArgs, disposables) => {
    const subscriptions: vscode.Disposable[] = [this.chat, this.reasoning, this.completion].map((session) =>
      session.onDidChangeModel((model) => {
        listener.call(thisArgs, model);
      }),
    );
    const disposable = {
      dispose: () => {
        for (const subscription of subscriptions) subscription.dispose();
      },
    };
    disposables?.push(disposable);
    return disposable;
  };

  /** The session serving a kind of request: the role's own model when one is configured, else the chat model. */
  sessionFor(role: ModelRole): ModelSession {
    const own = role === 'reasoning' ? this.reasoning : role === 'completion' ? this.completion : this.chat;
    return own.configured ? own : this.chat;
  }

  dispose(): void {
    for (const session of [this.chat, this.reasoning, this.completion]) session.dispose();
  }
}
