import type { ChatActivity, EngineState, ModelSummary, ThinkingMode } from '../shared/webviewProtocol';
import { button, element } from './element';
import type { PostMessage } from './vscodeApi';

const engineLabels: Record<EngineState, string> = {
  idle: 'Engine idle',
  starting: 'Starting engine…',
  restarting: 'Restarting engine…',
  ready: 'Ready',
  failed: 'Engine failed',
};

const thinkingOptions: readonly { mode: ThinkingMode; label: string; description: string }[] = [
  { mode: 'auto', label: 'Auto', description: 'Thinking auto: on for refactor-type requests, off for quick questions' },
  { mode: 'on', label: 'On', description: 'Thinking on: the model reasons before answering, when it can' },
  { mode: 'off', label: 'Off', description: 'Thinking off: answer directly' },
];

/** The title bar: "Hearth", the model, the engine state, the thinking toggle and New chat. */
export class ChatHeader {
  readonly element: HTMLElement;
  private readonly model: HTMLElement;
  private readonly engine: HTMLElement;
  private readonly logsButton: HTMLButtonElement;
  private readonly selectModelButton: HTMLButtonElement;
  private readonly modeButtons: Map<ThinkingMode, HTMLButtonElement>;
  private mode: ThinkingMode = 'auto';
  private engineState: EngineState = 'idle';
  private engineDetail: string | undefined;
  private hasModel = false;
  private activity: ChatActivity | null = null;
  private modelError: string | null = null;

  constructor(
    private readonly post: PostMessage,
    private readonly onThinkingChange: (mode: ThinkingMode) => void,
  ) {
    this.model = element('span', { className: 'model', text: 'No model' });
    this.engine = element('span', {
      className: 'engine-state',
      text: engineLabels.idle,
      attributes: { 'data-state': 'idle', role: 'status' },
    });
    this.logsButton = button('Show logs', 'Show the Hearth logs', () => this.post({ type: 'showLogs' }), 'link');
    this.logsButton.hidden = true;
    this.selectModelButton = button(
      'Select model',
      'Select a model (download one or choose a checkpoint folder)',
      () => this.post({ type: 'selectModel' }),
      'link',
    );
    this.selectModelButton.hidden = true;
    this.modeButtons = new Map(
      thinkingOptions.map(({ mode, label, description }) => {
        const node = button(label, description, () => this.choose(mode), 'segment');
        node.dataset.mode = mode;
        return [mode, node];
      }),
    );
    const toggle = element(
      'div',
      { className: 'thinking-toggle', attributes: { role: 'group', 'aria-label': 'Thinking' } },
      [
        element('span', { className: 'toggle-label', text: 'Thinking', attributes: { 'aria-hidden': 'true' } }),
        ...this.modeButtons.values(),
      ],
    );
    const newChat = button(
      'New chat',
      'Start a new chat',
      () => this.post({ type: 'newChat' }),
      'button secondary new-chat',
    );
    this.element = element('header', { className: 'chat-header' }, [
      element('div', { className: 'title-row' }, [
        element('h1', { text: 'Hearth' }),
        this.model,
        this.engine,
        this.logsButton,
        this.selectModelButton,
      ]),
      element('div', { className: 'controls-row' }, [toggle, newChat]),
    ]);
    this.showThinking('auto');
  }

  get thinking(): ThinkingMode {
    return this.mode;
  }

  get engineReady(): boolean {
    return this.engineState === 'ready';
  }

  /** Shows a mode without posting it (history and saved state). */
  showThinking(mode: ThinkingMode): void {
    this.mode = mode;
    for (const [buttonMode, node] of this.modeButtons) node.setAttribute('aria-pressed', String(buttonMode === mode));
  }

  setModel(model: ModelSummary | null): void {
    this.hasModel = model !== null;
    this.showState();
    this.model.textContent = model ? model.name : 'No model';
    this.model.title = model
      ? `${model.name}: ${model.kind}, ${model.contextLength.toLocaleString('en-US')}-token context`
      : 'No model configured';
  }

  setEngineState(state: EngineState, detail: string | undefined): void {
    this.engineState = state;
    this.engineDetail = detail;
    this.showState();
  }

  /** A model load or indexing in progress, shown instead of "Ready" while it runs. */
  setActivity(activity: ChatActivity | null): void {
    this.activity = activity;
    this.showState();
  }

  /** Why the configured model cannot be served (shown with Select model), or null. */
  setModelError(message: string | null): void {
    this.modelError = message;
    this.showState();
  }

  /**
   * One state, as the status bar shows it: the engine's when it is not ready; else a load or indexing in
   * progress, a model that cannot be served (with Select model), no model, or ready.
   */
  private showState(): void {
    const state = this.engineState;
    const ready = state === 'ready';
    const error = ready && this.activity === null ? this.modelError : null;
    const noModel = ready && !this.hasModel;
    this.engine.textContent =
      (ready ? this.activity?.text : undefined) ??
      (error !== null ? 'Model error' : noModel ? 'No model loaded' : engineLabels[state]);
    this.engine.dataset.state = error !== null ? 'failed' : state;
    this.engine.title =
      error ??
      (noModel && this.activity === null ? 'The first question asks which model to use.' : (this.engineDetail ?? ''));
    this.logsButton.hidden = state !== 'failed';
    this.selectModelButton.hidden = error === null;
  }

  private choose(mode: ThinkingMode): void {
    if (mode === this.mode) return;
    this.showThinking(mode);
    this.post({ type: 'setThinking', mode });
    this.onThinkingChange(mode);
  }
}
