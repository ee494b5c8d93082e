import { isChoice } from '../shared/isChoice';
import { THINKING_MODES } from '../shared/protocol';
import type {
  ChatTurn,
  EngineState,
  ModelSummary,
  ThinkingMode,
  WebviewToExtensionMessage,
} from '../shared/webviewProtocol';

/** The one way the webview talks to the extension; components get this function, not the whole API. */
export type PostMessage = (message: WebviewToExtensionMessage) => void;

/** What the view keeps across hide and show (vscode.setState), so it redraws at once before `history` arrives. */
export interface PersistedUiState {
  version: 1;
  turns: ChatTurn[];
  thinking: ThinkingMode;
  model: ModelSummary | null;
  engine: { state: EngineState; detail?: string };
  draft: string;
}

export interface VsCodeApi {
  postMessage(message: WebviewToExtensionMessage): void;
  getState(): unknown;
  setState(state: PersistedUiState): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

/** VS Code allows one acquireVsCodeApi() call per webview: main.ts calls this once and passes the API on. */
export function connectToVsCode(): VsCodeApi {
  return acquireVsCodeApi();
}

const engineStates: readonly unknown[] = ['idle', 'starting', 'ready', 'restarting', 'failed'] satisfies EngineState[];

/** The saved state, or undefined when there is none or it is from another version of the view. */
export function parsePersistedState(data: unknown): PersistedUiState | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const state = data as Partial<Record<keyof PersistedUiState, unknown>>;
  if (state.version !== 1 || !Array.isArray(state.turns) || !isChoice(THINKING_MODES, state.thinking)) return undefined;
  const engine = state.engine as { state?: unknown } | undefined;
  if (!engine || !engineStates.includes(engine.state)) return undefined;
  return data as PersistedUiState;
}
