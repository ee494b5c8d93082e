import type { EngineState, ExtensionToWebviewMessage, WebviewToExtensionMessage } from '../shared/webviewProtocol';

interface VsCodeApi {
  postMessage(message: WebviewToExtensionMessage): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();

const stateLabels: Record<EngineState, string> = {
  idle: 'Engine idle',
  starting: 'Starting engine…',
  restarting: 'Restarting engine…',
  ready: 'Engine ready',
  failed: 'Engine failed',
};

function element<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: Node[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

const status = element('span', { id: 'engine-state', className: 'state', textContent: stateLabels.idle });
const logsButton = element('button', { id: 'show-logs', className: 'link', textContent: 'Show logs', hidden: true });
logsButton.addEventListener('click', () => vscode.postMessage({ type: 'showLogs' }));

const root = document.getElementById('hearth-chat');
if (root) {
  root.append(
    element('header', {}, element('h1', { textContent: 'Hearth' }), status, logsButton),
    element(
      'section',
      { id: 'transcript', className: 'transcript', ariaLive: 'polite' },
      element('p', { className: 'welcome', textContent: 'Ask about this repository. Answers come from a model running on this machine; nothing leaves it.' }),
    ),
    element('textarea', { id: 'prompt', placeholder: 'Chat arrives with the generation engine.', disabled: true, rows: 3, ariaLabel: 'Message' }),
  );
}

function onMessage(message: ExtensionToWebviewMessage): void {
  switch (message.type) {
    case 'engineState':
      status.textContent = stateLabels[message.state];
      status.dataset.state = message.state;
      status.title = message.detail ?? '';
      logsButton.hidden = message.state !== 'failed';
      return;
  }
}

window.addEventListener('message', (event: MessageEvent<ExtensionToWebviewMessage>) => onMessage(event.data));
vscode.postMessage({ type: 'ready' });
