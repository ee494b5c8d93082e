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
import type { ModelSource } from '../model/modelSource';
import { focusFilesFor, reusableBlock, type PackedBlock } from './blockReuse';
import { CHAT_INSTRUCTIONS, chatMessages, repositorySystemMessage, userMessage, type PriorTurn } from './chatMessages';
import { answerRoom, fitConversation, type ConversationFit } from './conversationFit';
import { parseMentions } from './mentionParser';
import { planThinking, type ThinkingPlan } from './thinkingPolicy';

export interface ChatRequest {
  messages: ChatMessage[];
  thinking: ThinkingPlan;
  /** The conversation's repository block (reused or packed for this question); undefined without a folder. */
  block: PackedBlock | undefined;
  /** The user message as sent, kept with the turn so follow-ups repeat it byte for byte. */
  prompt: string;
  /** The last message is the answer so far, which the engine goes on writing (ChatParams.continueAnswer). */
  continueAnswer: boolean;
  /** The earlier turns kept, and their tokens. */
  history: ConversationFit;
  /** The answer limit, lowered to what the context leaves; undefined: up to the end of the context. */
  maxTokens: number | undefined;
}

/** What the builder needs beside the model and the workspace. */
export interface ChatRequestOptions {
  /** Token counts of plain texts with the served model's tokenizer. */
  countTokens(texts: string[], token: CancellationToken): Promise<number[]>;
  /** `hearth.chat.maxTokens`; undefined: up to the end of the context. */
  maxTokens(): number | undefined;
}

/** Counts kept between questions (earlier turns are counted once); cleared past this many texts. */
const MAX_COUNTED_TEXTS = 512;

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
 * (the conversation's own while it is current), the earlier turns that fit the context, the messages and the
 * thinking plan.
 */
export class ChatRequestBuilder {
  private counted = new Map<string, number>();
  private countedFor: string | undefined;

  constructor(
    private readonly models: ModelSource,
    private readonly workspace: WorkspaceContext,
    private readonly options: ChatRequestOptions,
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
    return this.assemble(model, { prompt, thinking: planThinking(mode, kind, question) }, prior, block, token);
  }

  /**
   * The request that continues `turn`'s answer, cut short at the token limit, in place: its question as it was
   * sent, then the answer so far as the assistant's message for the engine to go on writing (thinking off).
   */
  async buildContinuation(
    turn: PriorTurn,
    prior: readonly PriorTurn[],
    previousBlock: PackedBlock | undefined,
    token: CancellationToken,
  ): Promise<ChatRequest> {
    const model = await raceCancellation(this.models.ensureLoaded(), token);
    const kind = chatModelKind(model);
    const block = this.workspace.hasFolders
      ? await this.repositoryBlock(model, turn.question, [], previousBlock, token)
      : undefined;
    const prompt = turn.prompt ?? turn.question;
    const thinking = planThinking('off', kind, turn.question);
    return this.assemble(model, { prompt, thinking, answerSoFar: turn.answer }, prior, block, token);
  }

  /** The messages, with the earlier turns that fit the context and the answer limit lowered to what is left. */
  private async assemble(
    model: ModelInfo,
    ask: { prompt: string; thinking: ThinkingPlan; answerSoFar?: string },
    prior: readonly PriorTurn[],
    block: PackedBlock | undefined,
    token: CancellationToken,
  ): Promise<ChatRequest> {
    const { prompt, answerSoFar } = ask;
    const system = repositorySystemMessage(block?.text ?? '', CHAT_INSTRUCTIONS);
    const answered = prior.filter((turn) => turn.answer.trim() !== '');
    const [systemTokens, promptTokens, answerSoFarTokens, ...turnTokens] = await this.count(
      model.path,
      [
        system.content,
        prompt,
        answerSoFar ?? '',
        ...answered.flatMap((turn) => [turn.prompt ?? turn.question, turn.answer]),
      ],
      token,
    );
    // The answer being continued is part of the prompt: it is kept whole, beside the question.
    const questionTokens = promptTokens + (answerSoFar === undefined ? 0 : answerSoFarTokens);
    const limit = this.options.maxTokens();
    const history = fitConversation({
      contextLength: model.contextLength,
      systemTokens,
      questionTokens,
      turnTokens: answered.map((_, index) => [turnTokens[2 * index], turnTokens[2 * index + 1]] as const),
      answerTokens: answerRoom(limit, model.contextLength),
    });
    const messages = chatMessages(system, answered.slice(history.turnsLeftOut), prompt);
    if (answerSoFar !== undefined) messages.push({ role: 'assistant', content: answerSoFar });
    return {
      messages,
      thinking: ask.thinking,
      block,
      prompt,
      continueAnswer: answerSoFar !== undefined,
      history,
      maxTokens:
        limit === undefined ? undefined : Math.max(1, Math.min(limit, model.contextLength - history.promptTokens)),
    };
  }

  /** Token counts of `texts`, asking the engine only for those not counted before with this model. */
  private async count(modelPath: string, texts: string[], token: CancellationToken): Promise<number[]> {
    if (this.countedFor !== modelPath || this.counted.size > MAX_COUNTED_TEXTS) this.counted = new Map();
    this.countedFor = modelPath;
    const missing = [...new Set(texts.filter((text) => !this.counted.has(text)))];
    if (missing.length > 0) {
      const counts = await this.options.countTokens(missing, token);
      missing.forEach((text, index) => this.counted.set(text, counts[index]));
    }
    return texts.map((text) => this.counted.get(text) ?? 0);
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
