import * as vscode from 'vscode';
import { HEARTH_SETTINGS, type HearthSettingKey, type HearthSettingValue } from './settingsRegistry';

/** A `hearth.*` setting's value as the user set it, or its declared default (settingsRegistry.ts). */
export function hearthSetting<K extends HearthSettingKey>(key: K): HearthSettingValue<K> {
  return vscode.workspace.getConfiguration('hearth').get(key, HEARTH_SETTINGS[key].default);
}
