/**
 * Messages between the chat webview (src/webview) and the extension (src/extension), over postMessage.
 * Both sides switch exhaustively over `type`, so a message without a case fails to compile.
 */

export type EngineState = 'idle' | 'starting' | 'ready' | 'restarting' | 'failed';

export type WebviewToExtensionMessage = { type: 'ready' } | { type: 'showLogs' };

export type ExtensionToWebviewMessage = { type: 'engineState'; state: EngineState; detail?: string };

/** Narrows untrusted postMessage data to a known webview message, or undefined. */
export function parseWebviewMessage(data: unknown): WebviewToExtensionMessage | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const type = (data as { type?: unknown }).type;
  switch (type) {
    case 'ready':
    case 'showLogs':
      return { type };
    default:
      return undefined;
  }
}
