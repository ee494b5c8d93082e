import * as vscode from 'vscode';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';
import { downloadWithProgress, type ModelEngine } from './modelDownload';
import { modelName, modelPickItems, type ModelPickAction, type ModelPickItem } from './modelPickItems';
import { configuredCacheDir, configuredModelPath, configuredStorage, setModelPath } from './modelSettings';

/** Why the picker is shown: the first use with no model, "Hearth: Select Model", or "Hearth: Download Model". */
export type ModelPickPurpose = 'firstUse' | 'select' | 'download';

const PROMPTS: Readonly<Record<ModelPickPurpose, { title: string; placeholder: string }>> = {
  firstUse: {
    title: 'Hearth needs a model',
    placeholder: 'Download a model to run on this machine, or choose a checkpoint folder',
  },
  select: { title: 'Hearth: Select Model', placeholder: 'The model Hearth runs' },
  download: { title: 'Hearth: Download Model', placeholder: 'Download a Qwen3 FP8 model from Hugging Face' },
};

const USE_MODEL = 'Use This Model';

/**
 * The model quick pick: catalogue models with their fit on this machine (downloaded, resumed or taken as
 * they are), the configured model, or a local folder. What is chosen becomes `hearth.model.path`.
 */
export class ModelPicker {
  constructor(private readonly engine: ModelEngine) {}

  /** The items the picker shows now. */
  async items(purpose: ModelPickPurpose): Promise<ModelPickItem[]> {
    const cacheDir = configuredCacheDir();
    const catalogue = await this.engine.request('model/catalogue', {
      ...configuredStorage(),
      ...(cacheDir !== undefined && { cacheDir }),
    });
    const currentPath = purpose === 'download' ? undefined : configuredModelPath();
    return modelPickItems(catalogue, {
      ...(currentPath !== undefined && { currentPath }),
      offerFolder: purpose !== 'download',
    });
  }

  /**
   * Shows the picker and makes the choice the configured model. Returns its folder, or undefined when the user
   * backed out (or, for "Download Model", kept the current model).
   */
  async choose(purpose: ModelPickPurpose): Promise<string | undefined> {
    const picked = await showPick(await this.items(purpose), PROMPTS[purpose]);
    if (picked === undefined) return undefined;
    const path = await this.folderFor(picked.action);
    if (path === undefined) return undefined;
    if (purpose === 'download' && path !== configuredModelPath()) {
      const use = await vscode.window.showInformationMessage(`Hearth: ${modelName(path)} is downloaded.`, USE_MODEL);
      if (use !== USE_MODEL) return undefined;
    }
    if (path !== configuredModelPath()) await setModelPath(path);
    return path;
  }

  private async folderFor(action: ModelPickAction): Promise<string | undefined> {
    switch (action.kind) {
      case 'current':
        return action.path;
      case 'folder':
        return this.chooseFolder();
      case 'catalogue': {
        const { entry } = action;
        if (entry.download.state === 'complete') return entry.download.dir;
        return (await downloadWithProgress(this.engine, entry.repo, entry.download.revision))?.dir;
      }
    }
  }

  private async chooseFolder(): Promise<string | undefined> {
    const [folder] =
      (await vscode.window.showOpenDialog({
        canSelectFolders: true,
        canSelectFiles: false,
        canSelectMany: false,
        openLabel: USE_MODEL,
        title: 'Hearth: choose a Qwen3 checkpoint folder (config.json, tokenizer files, .safetensors)',
      })) ?? [];
    if (folder === undefined) return undefined;
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(folder, 'config.json'));
    } catch {
      throw new EngineError(
        EngineErrorCode.ModelNotFound,
        `${folder.fsPath} holds no config.json: it is not a Hugging Face checkpoint folder.`,
        'Choose the folder that holds config.json, the tokenizer files and the .safetensors files.',
      );
    }
    // The engine reads config.json and refuses an unfinished download (with how to resume it).
    await this.engine.request('model/fit', { path: folder.fsPath, ...configuredStorage() });
    return folder.fsPath;
  }
}

/** A quick pick that starts on the current model. */
function showPick(
  items: ModelPickItem[],
  prompt: { title: string; placeholder: string },
): Promise<ModelPickItem | undefined> {
  const quickPick = vscode.window.createQuickPick<ModelPickItem>();
  quickPick.title = prompt.title;
  quickPick.placeholder = prompt.placeholder;
  quickPick.matchOnDescription = true;
  quickPick.items = items;
  const current = items.find((item) => item.current);
  if (current !== undefined) quickPick.activeItems = [current];
  return new Promise((resolve) => {
    let chosen: ModelPickItem | undefined;
    const subscriptions = [
      quickPick.onDidAccept(() => {
        chosen = quickPick.selectedItems[0];
        quickPick.hide();
      }),
      quickPick.onDidHide(() => {
        vscode.Disposable.from(...subscriptions, quickPick).dispose();
        resolve(chosen);
      }),
    ];
    quickPick.show();
  });
}
