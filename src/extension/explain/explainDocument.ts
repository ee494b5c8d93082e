import type { ChatResult, ContextPackStats } from '../../shared/protocol';
import { describePack, describeUsage } from '../chat/turnStats';

/**
 * The frame of the "Explain This Codebase" document: a header that says what it is and what the model saw,
 * and a footer with how the answer ended, how much of the prompt came from the prefix cache, and the speeds.
 * (The prompt itself is src/shared/explainPrompt.ts, shared with `hearth explain`.)
 */

export function explainHeader(
  workspaceName: string,
  modelName: string,
  stats: ContextPackStats,
  /** The model runs on a remote server (hearth.engine.kind "remote"), not on this machine. */
  remote = false,
): string {
  return [
    `# ${workspaceName}: how this codebase works`,
    '',
    `> Written by Hearth with ${modelName}${remote ? ', a remote model server' : ' on this machine'}. Context: ${describePack(stats)}.`,
    '',
    '',
  ].join('\n');
}

const endings: Record<ChatResult['finishReason'], string> = {
  stop: 'finished',
  length: 'stopped at the token limit',
  cancelled: 'stopped',
};

export function explainFooter(result: Pick<ChatResult, 'finishReason' | 'usage'>): string {
  return ['', '', '---', '', `*Hearth: ${endings[result.finishReason]} · ${describeUsage(result.usage)}*`, ''].join(
    '\n',
  );
}
