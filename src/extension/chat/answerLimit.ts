/**
 * `hearth.chat.maxTokens` for the features beside chat. Its default (2,048) fits a chat answer, with Continue
 * for more; an explanation or a refactor (reasoning included) would be cut short by it, so they follow the
 * setting only where the user set it, and otherwise run to the end of the context.
 */

/** The setting as `WorkspaceConfiguration.inspect` reports it. */
export interface InspectedLimit {
  globalValue?: number;
  workspaceValue?: number;
  workspaceFolderValue?: number;
}

/** The limit the user set (the most specific scope wins); undefined when none was set or it is 0. */
export function userSetLimit(inspected: InspectedLimit | undefined): number | undefined {
  const value = inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  return value !== undefined && value > 0 ? value : undefined;
}
