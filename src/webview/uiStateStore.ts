import type { PersistedUiState, VsCodeApi } from './vscodeApi';

/**
 * Saves the view's state with vscode.setState, at most once per `delayMs`: while an answer streams, every delta
 * changes the state, and serialising the whole transcript per delta would be wasted work.
 */
export class UiStateStore {
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly api: Pick<VsCodeApi, 'setState'>,
    private readonly snapshot: () => PersistedUiState,
    private readonly delayMs = 250,
  ) {}

  saveSoon(): void {
    this.timer ??= setTimeout(() => this.saveNow(), this.delayMs);
  }

  saveNow(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.api.setState(this.snapshot());
  }
}
