import { EngineError } from '../../shared/engineError';
import {
  EngineErrorCode,
  type ChatMessage,
  type ModelInfo,
  type ModelKind,
  type ThinkingMode,
} from '../../shared/protocol';
import type { CancellationToken } from 'vscode-jsonrpc';
import { raceCancellation } from '../cancellation';
import { editorFocus, resolveFileMentions, selectionQuote } from '../context/editorFocus';
import type { WorkspaceContext } from '../context/workspaceContext';
import type { ModelSession } from '../model/modelSession';
import { focusFilesFor, reusableBlock, type PackedBlock } from './blockReuse';
import { CHAT_INSTRUCTIONS, chatMessages, repositorySystemMessage, userMessage, type PriorTurn } from './chatMessages';
import { parseMentions } from './mentionParser';
import { planThinking, type ThinkingPlan } from './thinkingPolicy';

export interface ChatRequest {
  messages: ChatMessage[];
  thinking: ThinkingPlan;
  /** The conversation's repository block (reused or packed for this question); undefined without a folder. */
  block: PackedBlock | undefined;
  /** The user message as sent, kept with the turn so follow-ups repeat it byte for byte. */
  prompt: string;
}

/** The served model's kind, or an error when it cannot chat. */
export function chatModelKind(model: ModelInfo): ModelKind {
  if (model.kind !== null) return model.kind;
  throw new EngineError(
    EngineErrorCode.UnsupportedModel,
    `The model at ${model.path} has no chat template: it serves completions only.`,
    'Set "hearth.model.path" to a Qwen3 chat checkpoint.',
  );
}

/**
 * Gathers what a chat question needs: the model, the mentions (`@file`, `#selection`), the repository block
 * (the conversation's own while it is current), the messages and the thinking plan.
 */
export class ChatRequestBuilder {
  constructor(
    private readonly models: ModelSession,
    private readonly workspace: WorkspaceContext,
  ) {}

  async build(
    question: string,
    mode: ThinkingMode,
    prior: readonly PriorTurn[],
    previousBlock: PackedBlock | undefined,
    token: CancellationToken,
  ): Promise<ChatRequest> {
    const model = await raceCancellation(this.models.ensureLoaded(), token);
    const kind = chatModelKind(model);
    const mentions = parseMentions(question);
    const { files, notes } = await resolveFileMentions(mentions.files);
    const selection = mentions.selection ? selectionQuote() : undefined;
    if (mentions.selection && !selection) notes.push('#selection is empty: no text was selected in an editor.');
    const block = this.workspace.hasFolders
      ? await this.repositoryBlock(model, question, files, previousBlock, token)
      : undefined;
    const prompt = userMessage({ question, ...(selection && { selection }), notes });
    return {
      messages: chatMessages(repositorySystemMessage(block?.text ?? '', CHAT_INSTRUCTIONS), prior, prompt),
      thinking: planThinking(mode, kind, question),
      block,
      prompt,
    };
  }

  private async repositoryBlock(
    model: ModelInfo,
    question: string,
    mentioned: string[],
    previous: PackedBlock | undefined,
    token: CancellationToken,
  ): Promise<PackedBlock> {
    const budget = this.workspace.budgetFor(model);
    const contentVersion = await this.workspace.sync(token);
    const reused = reusableBlock(previous, { budget, contentVersion, mentionedFiles: mentioned });
    if (reused) return reused;
    const focusFiles = focusFilesFor(previous, mentioned);
    const { activeFile, openFiles } = editorFocus();
    const { text, stats } = await this.workspace.pack(
      {
        budget,
        format: 'markdown',
        focus: {
          ...(activeFile !== undefined && { activeFile }),
          openFiles: [...new Set([...focusFiles, ...openFiles])],
          query: question,
        },
      },
      token,
    );
    return { text, stats, budget, contentVersion, focusFiles };
  }
}
