// The chat webview: wires the header, transcript and composer to the extension's messages.
import type { EngineState, ExtensionToWebviewMessage, ModelSummary } from '../shared/webviewProtocol';
import { ChatHeader } from './chatHeader';
import { ChatView } from './chatView';
import { Composer } from './composer';
import { UiStateStore } from './uiStateStore';
import { connectToVsCode, parsePersistedState, type PostMessage } from './vscodeApi';

const vscode = connectToVsCode();
const post: PostMessage = (message) => vscode.postMessage(message);

let model: ModelSummary | null = null;
let engine: { state: EngineState; detail?: string } = { state: 'idle' };

const store = new UiStateStore(vscode, () => ({
  version: 1,
  turns: chat.turns(),
  thinking: header.thinking,
  model,
  engine,
  draft: composer.draft,
}));
const header = new ChatHeader(post, () => store.saveSoon());
const chat = new ChatView(post);
const composer = new Composer(
  post,
  () => header.thinking,
  () => store.saveSoon(),
  (turnId) => {
    const answerLength = chat.stop(turnId);
    refreshComposer();
    store.saveSoon();
    return answerLength;
  },
);

function refreshComposer(): void {
  composer.update({ engineReady: header.engineReady, streamingTurnId: chat.streamingTurnId });
}

function onMessage(message: ExtensionToWebviewMessage): void {
  switch (message.type) {
    case 'engineState':
      engine = { state: message.state, ...(message.detail !== undefined && { detail: message.detail }) };
      header.setEngineState(message.state, message.detail);
      composer.acknowledge();
      break;
    case 'model':
      model = message.model;
      header.setModel(message.model);
      break;
    case 'activity':
      header.setActivity(message.activity);
      break;
    case 'modelError':
      header.setModelError(message.message);
      break;
    case 'history':
      chat.replace(message.turns);
      header.showThinking(message.thinking);
      composer.acknowledge();
      break;
    case 'turnStarted':
      chat.start(message.turn);
      composer.acknowledge();
      break;
    case 'turnDelta':
      chat.delta(message.turnId, message.reasoning, message.answer);
      break;
    case 'turnThinking':
      chat.setThinking(message.turnId, message.thinking);
      break;
    case 'turnProgress':
      chat.setProgress(message.turnId, message.text);
      break;
    case 'turnFinished':
      chat.finish(message.turnId, message.finishReason, message.error, message.stats);
      break;
    default:
      // A message type without a case fails to compile here.
      return message satisfies never;
  }
  refreshComposer();
  store.saveSoon();
}

const saved = parsePersistedState(vscode.getState());
if (saved) {
  model = saved.model;
  engine = saved.engine;
  header.setModel(saved.model);
  header.setEngineState(saved.engine.state, saved.engine.detail);
  header.showThinking(saved.thinking);
  chat.replace(saved.turns);
  composer.draft = saved.draft;
}
refreshComposer();

document.getElementById('hearth-chat')?.append(header.element, chat.element, composer.element);
window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && typeof (data as { type?: unknown }).type === 'string')
    onMessage(data as ExtensionToWebviewMessage);
});
// A hidden view may be torn down without warning: save what is pending when it stops being visible.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') store.saveNow();
});
post({ type: 'ready' });
