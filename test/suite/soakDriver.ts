/**
 * Runs a soak plan through the extension as a user would: chat questions (Stop, New chat) beside inline
 * completions (VS Code's provider and token), while the engine is killed; counts how every request ended.
 */
import * as vscode from 'vscode';
import type { CompletionStats } from '../../src/extension/completion/completionStats';
import type { HearthApi } from '../../src/extension/extension';
import type { MemoryUsage } from '../../src/shared/protocol';
import type { ChatTurn } from '../../src/shared/webviewProtocol';
import { inlineSuggestion } from './inlineSuggestion';
import type { PlannedKill, PlannedRequest, SoakPlan } from './soakPlan';
import type { SoakKill, SoakReport } from './soakReport';
import { SoakRecords } from './soakRecords';
import { sleep, waitFor } from './suiteSupport';

export interface SoakTarget {
  api: HearthApi;
  /** The file completions are asked in: a line of it is edited before each request. */
  file: vscode.Uri;
  /** Workspace files the chat questions name. */
  files: readonly string[];
  /** A request that has not ended this long after it started counts as stuck. */
  boundMs: number;
}

/** Chat questions in the warm-up's conversation, and completions beside them: about a soak conversation's length. */
const WARM_UP_ROUNDS = 8;

const completionStats = () =>
  vscode.commands.executeCommand<CompletionStats>('hearth.completion.stats', { silent: true });
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class SoakDriver {
  private readonly requests = new SoakRecords();
  private readonly kills: SoakKill[] = [];
  private readonly conversations = { count: 0, turns: 0, lostTurns: 0, changedTurns: 0 };
  private conversation: ChatTurn[] = [];
  private peakRss = 0;
  private maxPingMs = 0;
  /** The engine the sampler pinged last. */
  private engine: { pid: number; rssBytes: number } | undefined;
  private running = true;

  constructor(private readonly target: SoakTarget) {}

  async run(plan: SoakPlan): Promise<SoakReport> {
    const { api } = this.target;
    const idle = await this.warmUp();
    const statsBefore = await completionStats();
    const startedAt = Date.now();
    const lanes = Promise.all([
      this.chatLane(plan.requests.flatMap((request, index) => (request.kind === 'chat' ? [{ request, index }] : []))),
      this.completionLane(
        plan.requests.flatMap((request, index) => (request.kind === 'completion' ? [{ request, index }] : [])),
      ),
    ]).finally(() => {
      this.running = false;
      this.requests.releaseWaiters();
    });
    await Promise.all([lanes, this.killLane(plan.kills), this.sampleMemory()]);
    const durationMs = Date.now() - startedAt;

    const statsAfter = await waitFor('the completion in flight to end', async () => {
      const stats = await completionStats();
      return stats.engineInFlight === 0 ? stats : undefined;
    });
    await sleep(2_000); // the engine's own clean-up after the last request
    const after = await api.engineMemory();
    return {
      seed: plan.seed,
      requests: plan.requests.length,
      ran: this.requests.started,
      durationMs,
      boundMs: this.target.boundMs,
      chat: this.requests.counts('chat'),
      completion: this.requests.counts('completion'),
      kills: this.kills,
      conversations: this.conversations,
      unexplainedFailures: this.requests
        .failures()
        .filter((failure) => !failure.explained)
        .map(({ line }) => line),
      failures: this.requests.failures().map(({ line }) => line),
      slowest: this.requests.slowest(5),
      maxPingMs: this.maxPingMs,
      engineRssBytes: {
        idle: idle.engine.rssBytes,
        peak: Math.max(this.peakRss, after.rssBytes),
        after: after.rssBytes,
      },
      engineHeapBytes: { idle: idle.engine.heapUsedBytes, after: after.heapUsedBytes },
      extensionHeapBytes: { idle: idle.heap, after: process.memoryUsage().heapUsed },
      completionEngine: {
        requests: statsAfter.engineRequests - statsBefore.engineRequests,
        cancelled: statsAfter.engineCancelled - statsBefore.engineCancelled,
        errors: statsAfter.engineErrors - statsBefore.engineErrors,
        budgetExpired: statsAfter.budgetExpired - statsBefore.budgetExpired,
        cacheHits: statsAfter.cacheHits - statsBefore.cacheHits,
      },
    };
  }

  /**
   * Both models loaded and a conversation and completions as long as the soak's typical ones answered: the
   * engine's memory then, its garbage collected, is its idle level (uncollected, it swings by ~100 MiB). Restarted
   * first, so that it loads the weights from the cache as every engine after a kill does, not converting them.
   */
  private async warmUp(): Promise<{ engine: MemoryUsage; heap: number }> {
    const { api, files } = this.target;
    const never = new vscode.CancellationTokenSource().token;
    const document = await vscode.workspace.openTextDocument(this.target.file);
    await api.chat.ask('Warm-up: what is in this repository?', 'off');
    await inlineSuggestion(api, document, document.lineCount - 1, true, never);
    await vscode.commands.executeCommand('hearth.restartEngine');
    for (let round = 0; round < WARM_UP_ROUNDS; round++) {
      await api.chat.ask(`Warm-up ${round}: what does ${files[round % files.length]} do?`, 'off');
      await inlineSuggestion(api, document, round % document.lineCount, true, never);
    }
    api.chat.newChat();
    await sleep(2_000);
    return { engine: await api.engineMemory(), heap: process.memoryUsage().heapUsed };
  }

  private async chatLane(requests: { request: PlannedRequest; index: number }[]): Promise<void> {
    const { api, files } = this.target;
    for (const { request, index } of requests) {
      if (!this.running) return;
      if (request.newChat) this.endConversation();
      const record = this.requests.begin(index, 'chat');
      const asking = api.chat.ask(`Question ${index}: what does ${files[request.place % files.length]} do?`, 'off');
      const turnId = api.chat.turns().at(-1)?.id ?? '';
      const stop =
        request.cancelAfterMs === undefined
          ? undefined
          : setTimeout(() => api.chat.stop(turnId), request.cancelAfterMs);
      const ended = await this.bounded(asking);
      clearTimeout(stop);
      if (ended === 'stuck') {
        this.requests.end(record, 'stuck');
        this.running = false; // the next question would be refused while this one is still answering
        return;
      }
      if ('error' in ended) {
        this.requests.end(record, 'failed', messageOf(ended.error));
        continue;
      }
      const turn = ended.value;
      this.conversation.push(turn);
      if (turn.finishReason === 'error') this.requests.end(record, 'failed', turn.error ?? 'no message');
      else this.requests.end(record, turn.finishReason === 'cancelled' ? 'cancelled' : 'answered');
    }
    this.endConversation();
  }

  /** Counts the turns of the conversation so far, and those the chat lost or changed after they finished. */
  private endConversation(): void {
    const now = new Map(this.target.api.chat.turns().map((turn) => [turn.id, turn]));
    for (const turn of this.conversation) {
      const kept = now.get(turn.id);
      if (kept === undefined) this.conversations.lostTurns++;
      else if (JSON.stringify(kept) !== JSON.stringify(turn)) this.conversations.changedTurns++;
    }
    if (this.conversation.length > 0) this.conversations.count++;
    this.conversations.turns += this.conversation.length;
    this.conversation = [];
    this.target.api.chat.newChat();
  }

  private async completionLane(requests: { request: PlannedRequest; index: number }[]): Promise<void> {
    const original = (await vscode.workspace.openTextDocument(this.target.file)).getText().split('\n');
    for (const { request, index } of requests) {
      if (!this.running) return;
      // Opened again each time: VS Code closes a document no editor shows after a while, and a closed one's
      // object keeps its old text while the edit goes to a new one.
      const document = await vscode.workspace.openTextDocument(this.target.file);
      const line = request.place % document.lineCount;
      const edit = new vscode.WorkspaceEdit();
      // The line as it was with a word of its own added: the document stays the same size, so do the prompts.
      edit.replace(document.uri, document.lineAt(line).range, `${original[line] ?? ''} v${index}`);
      if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`The edit before request ${index} failed.`);
      const record = this.requests.begin(index, 'completion');
      const source = new vscode.CancellationTokenSource();
      const cancel =
        request.cancelAfterMs === undefined ? undefined : setTimeout(() => source.cancel(), request.cancelAfterMs);
      const errorsBefore = (await completionStats()).engineErrors;
      const ended = await this.bounded(
        inlineSuggestion(this.target.api, document, line, request.explicit, source.token),
      );
      clearTimeout(cancel);
      if (ended === 'stuck') this.requests.end(record, 'stuck');
      else if ('error' in ended) this.requests.end(record, 'failed', messageOf(ended.error));
      else if (ended.value !== '') this.requests.end(record, 'answered');
      else if (source.token.isCancellationRequested) this.requests.end(record, 'cancelled');
      else if ((await completionStats()).engineErrors > errorsBefore)
        this.requests.end(record, 'failed', 'engine error');
      else this.requests.end(record, 'empty');
      source.cancel();
      source.dispose();
    }
  }

  private async killLane(kills: readonly PlannedKill[]): Promise<void> {
    const { api, boundMs } = this.target;
    for (const kill of kills) {
      if (!this.running) return;
      await this.requests.whenStarted(kill.afterRequests);
      await sleep(kill.delayMs);
      if (!this.running) return;
      // The pid and memory the sampler saw last: a ping now would wait behind the engine's work, and so delay the kill.
      const { pid, rssBytes } = this.engine ?? { pid: (await api.ping()).pid, rssBytes: 0 };
      const atRequest = this.requests.started;
      const inFlight = this.requests.inFlight;
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      const restartedPid = await waitFor(
        'the restarted engine',
        () =>
          api.ping().then(
            (ping) => (ping.pid !== pid ? ping.pid : undefined),
            () => undefined,
          ),
        boundMs,
      );
      const restartedAt = Date.now();
      this.requests.killed(killedAt, restartedAt);
      this.engine = { pid: restartedPid, rssBytes: 0 };
      this.kills.push({
        atRequest,
        pid,
        restartedPid,
        restartMs: restartedAt - killedAt,
        inFlight,
        rssBytes,
      });
    }
  }

  /** Samples the engine's resident memory and how fast it answers a ping, while the soak runs. */
  private async sampleMemory(): Promise<void> {
    const { api } = this.target;
    while (this.running) {
      const ready = api.engineState() === 'ready';
      const sentAt = Date.now();
      const ping = await api.ping().catch(() => undefined);
      if (ping) {
        // Only a ping to a running engine that answered it: one sent during a restart waits for the new engine.
        if (ready && ping.pid === this.engine?.pid) this.maxPingMs = Math.max(this.maxPingMs, Date.now() - sentAt);
        this.engine = { pid: ping.pid, rssBytes: ping.memory.rssBytes };
        this.peakRss = Math.max(this.peakRss, ping.memory.rssBytes);
      }
      await sleep(500);
    }
  }

  private bounded<T>(work: PromiseLike<T>): Promise<{ value: T } | { error: unknown } | 'stuck'> {
    let timer: NodeJS.Timeout | undefined;
    const stuck = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), this.target.boundMs)));
    const ended = Promise.resolve(work).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    return Promise.race([ended, stuck]).finally(() => clearTimeout(timer));
  }
}
