import * as vscode from 'vscode';
import type { MemoryUsage, ModelInfo, ModelRole, PingResult } from '../shared/protocol';
import type { ChatTurn, EngineState, ThinkingMode } from '../shared/webviewProtocol';
import { ChatController } from './chat/chatController';
import { ChatHistory } from './chat/chatHistory';
import { ChatRequestBuilder } from './chat/chatRequestBuilder';
import { userSetLimit } from './chat/answerLimit';
import { ChatStream } from './chat/chatStream';
import { CodeActions } from './chat/codeActions';
import { ChatViewProvider } from './chatViewProvider';
import { registerInlineCompletions } from './completion/completionFeature';
import { RepositoryPrefill } from './context/repositoryPrefill';
import type { RepositoryPrefixState } from './context/repositoryPrefixState';
import { WorkspaceContext } from './context/workspaceContext';
import { EngineFailedError } from './engineFailedError';
import { EngineStatusBar } from './engineStatusBar';
import { EngineSupervisor } from './engineSupervisor';
import { parseEngineLogLine } from './engineLogLine';
import { ErrorPresenter } from './errorPresenter';
import { ExplainCommand } from './explain/explainCommand';
import { hearthSetting } from './hearthSetting';
import { registerModelCommands } from './model/modelCommands';
import { ModelPicker, type ModelPickPurpose } from './model/modelPicker';
import { ModelRoles } from './model/modelRoles';
import { proxyEnvironment } from './proxyEnvironment';
import { ChangeProposals } from './refactor/changeProposals';
import { RefactorCommand, type RefactorArgs } from './refactor/refactorCommand';
import { ModelChoice } from './remote/modelChoice';
import { RemoteEngine } from './remote/remoteEngine';
import { RemoteModelPicker } from './remote/remoteModelPicker';
import { RemoteModelRoles } from './remote/remoteModelRoles';
import { RemoteServerSettings } from './remote/remoteServerSettings';

/** What `activate` returns: a small API for other extensions and for Hearth's own extension tests. */
export interface HearthApi {
  engineState(): EngineState;
  /** Starts the engine if needed and pings it. */
  ping(): Promise<PingResult>;
  /** The engine's memory once it has collected its garbage (memory/collect). */
  engineMemory(): Promise<MemoryUsage>;
  /** Starts the engine and loads the configured model if needed. */
  loadModel(): Promise<ModelInfo>;
  /** The model the engine serves in a role now, or null. */
  modelInfo(role: ModelRole): Promise<ModelInfo | null>;
  /** The items "Hearth: Select Model" shows now: the catalogue with each model's fit, the current model marked. */
  modelPickItems(): Promise<Pick<vscode.QuickPickItem, 'label' | 'description' | 'detail'>[]>;
  /**
   * The sidebar conversation: a question's finished turn (as the view shows it), the turns so far, and what the
   * view's Stop and New chat buttons do.
   */
  chat: {
    ask(question: string, thinking?: ThinkingMode): Promise<ChatTurn>;
    turns(): ChatTurn[];
    stop(turnId: string): void;
    newChat(): void;
  };
  /** The provider VS Code asks for ghost text in every source document. */
  inlineCompletions: vscode.InlineCompletionItemProvider;
  /** The repository prefix as the status bar and the chat header show it; undefined when there is none. */
  repositoryPrefix(): RepositoryPrefixState | undefined;
}

let supervisor: EngineSupervisor | undefined;

export function activate(context: vscode.ExtensionContext): HearthApi {
  const output = vscode.window.createOutputChannel('Hearth', { log: true });
  const showLogs = () => output.show(true);
  const version = (context.extension.packageJSON as { version: string }).version;

  const engine = new EngineSupervisor({
    enginePath: vscode.Uri.joinPath(context.extensionUri, 'dist', 'engine.js').fsPath,
    clientVersion: version,
    logLevel: () => hearthSetting('engine.logLevel'),
    environment: () => {
      const http = vscode.workspace.getConfiguration('http');
      return proxyEnvironment({
        proxy: http.get<string>('proxy'),
        proxyStrictSSL: http.get<boolean>('proxyStrictSSL'),
        noProxy: http.get<string[]>('noProxy'),
      });
    },
    log: (line) => logEngineLine(output, line),
  });
  supervisor = engine;
  const picker = new ModelPicker(engine);
  // hearth.engine.kind "remote": an OpenAI-compatible server generates; the local engine indexes and packs.
  const remote = new RemoteServerSettings(context.secrets);
  const localRoles = new ModelRoles(engine, picker, () => !remote.isRemote);
  const remoteRoles = new RemoteModelRoles(remote, engine);
  const remotePicker = new RemoteModelPicker(remote);
  const roles = new ModelChoice({
    local: localRoles,
    remote: remoteRoles,
    isRemote: () => remote.isRemote,
    onDidSwitch: remote.onDidChangeKind,
  });
  const models = roles.chat;
  const generator = new RemoteEngine(engine, () => remoteRoles.server(), {
    active: () => remote.isRemote,
    onFimRefused: (server) => remoteRoles.refusedFim(server),
  });
  const pickModel = {
    choose: (purpose: ModelPickPurpose) =>
      remote.isRemote && purpose !== 'download' ? remotePicker.choose() : picker.choose(purpose),
  };
  const errors = new ErrorPresenter(
    showLogs,
    () => void restartEngine(),
    (line) => output.error(line),
  );
  // Restarting takes seconds: a notification while it runs, a status-bar line when it is done.
  const restartEngine = () =>
    vscode.window
      .withProgress({ location: vscode.ProgressLocation.Notification, title: 'Hearth: restarting the engine…' }, () =>
        engine.restart(),
      )
      .then(
        () => void vscode.window.setStatusBarMessage('$(check) Hearth: the engine restarted', 5_000),
        (error: unknown) => errors.show(error),
      );
  const workspace = new WorkspaceContext(engine, (line) => output.appendLine(line));
  const repository = new RepositoryPrefill({
    engine,
    models,
    workspace,
    // A remote server keeps its own prefix cache: the local engine has no model to prefill.
    enabled: () => hearthSetting('context.prefillInBackground') && !remote.isRemote,
    log: (line) => output.appendLine(line),
  });
  const answerLimit = () => hearthSetting('chat.maxTokens') || undefined;
  const stream = new ChatStream(generator, {
    // Chat requests carry their own limit (answerLimit); Explain and refactors follow only a limit the user set.
    maxTokens: () => userSetLimit(vscode.workspace.getConfiguration('hearth').inspect<number>('chat.maxTokens')),
    onUsage: (usage) => models.reportSpeed(usage.decodeTokensPerSecond),
  });
  const proposals = new ChangeProposals();
  const chat = new ChatController(
    new ChatHistory(context.workspaceState),
    new ChatRequestBuilder(models, workspace, {
      countTokens: async (texts, token) => (await generator.request('countTokens', { texts }, token)).counts,
      maxTokens: answerLimit,
    }),
    stream,
    errors,
  );
  const explain = new ExplainCommand(models, workspace, generator, stream, errors);
  const refactor = new RefactorCommand(roles, workspace, stream, proposals, errors);
  const completions = registerInlineCompletions({
    engine: generator,
    models: roles,
    log: (line) => output.appendLine(line),
  });
  const chatView = new ChatViewProvider(context.extensionUri, {
    engine,
    models,
    workspace,
    repository,
    chat,
    codeActions: new CodeActions(proposals),
    showLogs,
    onError: (error) => void errors.show(error),
  });

  context.subscriptions.push(
    output,
    localRoles,
    remote,
    remoteRoles,
    roles,
    generator,
    new EngineStatusBar(engine, models, repository),
    models.onDidFailInBackground((error) => void errors.show(error)),
    engine.onDidChangeState(({ state, detail }) => {
      if (state === 'failed') void errors.show(new EngineFailedError(detail ?? 'see the logs'));
    }),
    workspace,
    repository,
    proposals,
    chat,
    refactor,
    chatView,
    vscode.window.registerWebviewViewProvider(ChatViewProvider.viewId, chatView),
    completions,
    vscode.commands.registerCommand('hearth.showLogs', showLogs),
    ...registerModelCommands(pickModel, models, errors),
    vscode.commands.registerCommand('hearth.setApiKey', () => remote.promptForApiKey()),
    vscode.commands.registerCommand('hearth.restartEngine', restartEngine),
    vscode.commands.registerCommand('hearth.explainCodebase', () => explain.run()),
    vscode.commands.registerCommand('hearth.refactorSelection', (args?: RefactorArgs) => refactor.run(args)),
  );

  return {
    engineState: () => engine.state.state,
    ping: () => engine.request('ping', undefined),
    engineMemory: () => engine.request('memory/collect', undefined),
    loadModel: () => models.ensureLoaded(),
    modelInfo: (role) => engine.request('model/info', { role }),
    chat: {
      ask: (question, thinking) => chat.ask(question, thinking),
      turns: () => chat.conversation,
      stop: (turnId) => chat.stop(turnId),
      newChat: () => chat.newChat(),
    },
    inlineCompletions: completions.provider,
    repositoryPrefix: () => repository.state,
    modelPickItems: async () =>
      (remote.isRemote ? await remotePicker.items() : await picker.items('select')).map(
        ({ label, description, detail }) => ({
          label,
          description,
          ...(detail !== undefined && { detail }),
        }),
      ),
  };
}

export async function deactivate(): Promise<void> {
  await supervisor?.dispose();
  supervisor = undefined;
}

/** An engine stderr line in the log channel, with the channel's timestamp and level instead of the engine's. */
function logEngineLine(output: vscode.LogOutputChannel, line: string): void {
  const { level, message } = parseEngineLogLine(line);
  if (level === 'error') output.error(message);
  else if (level === 'warn') output.warn(message);
  else output.info(level === 'debug' ? `[debug] ${message}` : message); // shown at the engine's own log level
}
