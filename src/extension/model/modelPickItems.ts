/**
 * The items of the model quick pick, from the engine's catalogue (with each model's fit on this machine) and
 * the configured model. Pure, so the exact labels are unit-tested; modelPicker.ts shows them.
 */
import type { CatalogueEntry, ModelCatalogueResult, ModelKind } from '../../shared/protocol';
import { formatBytes } from './downloadProgressText';

export type ModelPickAction =
  /** Download the entry (or resume it, or take it as it is when complete), then use it. */
  | { kind: 'catalogue'; entry: CatalogueEntry }
  /** Keep the configured model, which is not a catalogue download. */
  | { kind: 'current'; path: string }
  | { kind: 'folder' };

/** A vscode.QuickPickItem with what choosing it does. */
export interface ModelPickItem {
  label: string;
  description: string;
  detail?: string;
  action: ModelPickAction;
  /** The configured model: the picker starts on it. */
  current: boolean;
}

export interface ModelPickOptions {
  /** hearth.model.path, or undefined when none is set. */
  currentPath?: string;
  /** Offer "Choose a local folder…" (not in "Hearth: Download Model"). */
  offerFolder: boolean;
}

export const CHOOSE_FOLDER_LABEL = '$(folder-opened) Choose a local folder…';
const CURRENT = '$(check) ';

const KIND_LABELS: Readonly<Record<ModelKind, string>> = {
  'instruct-2507': 'instruct',
  'thinking-2507': 'thinking',
  hybrid: 'hybrid thinking',
};

export function modelPickItems(catalogue: ModelCatalogueResult, options: ModelPickOptions): ModelPickItem[] {
  const current = options.currentPath === undefined ? undefined : normalizePath(options.currentPath);
  const items = catalogue.models.map((entry): ModelPickItem => {
    const isCurrent = current !== undefined && normalizePath(entry.download.dir) === current;
    return {
      label: `${isCurrent ? CURRENT : ''}${modelName(entry.repo)}`,
      description: [KIND_LABELS[entry.kind], sizeText(entry), fitText(entry)].join(' · '),
      detail: entry.fit.verdict === 'does-not-fit' ? entry.fit.message : entry.description,
      action: { kind: 'catalogue', entry },
      current: isCurrent,
    };
  });
  if (options.currentPath !== undefined && current !== undefined && !items.some((item) => item.current)) {
    items.unshift({
      label: `${CURRENT}${modelName(options.currentPath)}`,
      description: 'current model · local folder',
      detail: options.currentPath,
      action: { kind: 'current', path: options.currentPath },
      current: true,
    });
  }
  if (options.offerFolder) {
    items.push({
      label: CHOOSE_FOLDER_LABEL,
      description: 'a Hugging Face checkpoint folder with config.json',
      action: { kind: 'folder' },
      current: false,
    });
  }
  return items;
}

/**
 * What to call a model: the last part of its repository id or folder, without the `Org--` prefix of Hearth's
 * download folders ("Qwen--Qwen3-4B-FP8" → "Qwen3-4B-FP8").
 */
export function modelName(repoOrPath: string): string {
  const last = repoOrPath.split(/[\\/]/).filter(Boolean).at(-1) ?? repoOrPath;
  return last.replace(/^[^-]+--/, '');
}

function sizeText(entry: CatalogueEntry): string {
  const size = formatBytes(entry.approximateDownloadBytes);
  switch (entry.download.state) {
    case 'complete':
      return `${size}, downloaded`;
    case 'incomplete':
      return `${size}, partly downloaded: resumes`;
    default:
      return size;
  }
}

function fitText({ fit }: CatalogueEntry): string {
  const tokens = fit.largestContext.toLocaleString('en-US');
  if (fit.verdict === 'fits') return `fits: up to ${tokens} tokens`;
  if (fit.verdict === 'tight') return `$(warning) tight: up to ${tokens} tokens`;
  return '$(error) does not fit in free memory';
}

function normalizePath(path: string): string {
  const trimmed = path.trim().replace(/[\\/]+$/, '');
  return trimmed === '' ? path : trimmed;
}
