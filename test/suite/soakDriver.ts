/**
 * Runs a soak plan through the extension as a user would: chat questions (Stop, New chat) beside inline
 * completions (VS Code's provider and token), while the engine is killed; counts how every request ended.
 */
import * as vscode from 'vscode';
import type { CompletionStats } from '../../src/extension/completion/completionStats';
import type { HearthApi } from '../../src/extension/extension';
import type { ChatTurn } from '../../src/shared/webviewProtocol';
import { inlineSuggestion } from './inlineSuggestion';
import type { PlannedKill, PlannedRequest, SoakPlan } from './soakPlan';
import type { OutcomeCounts, SoakKill, SoakReport } from './soakReport';
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

interface RequestRecord {
  index: number;
  kind: PlannedRequest['kind'];
  startedAt: number;
  endedAt: number;
  outcome: 'answered' | 'empty' | 'cancelled' | 'failed' | 'stuck';
  reason?: string;
}

/** Chat questions in the warm-up's conversation, and completions beside them: about a soak conversation's length. */
const WARM_UP_ROUNDS = 8;

const emptyCounts = (): OutcomeCounts => ({ answered: 0, empty: 0, cancelled: 0, failed: {}, stuck: 0, maxMs: 0 });
const completionStats = () =>
  vscode.commands.executeCommand<CompletionStats>('hearth.completion.stats', { silent: true });
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class SoakDriver {
  private readonly records: RequestRecord[] = [];
  private readonly inFlight = new Set<number>();
  private readonly kills: SoakKill[] = [];
  private readonly killWindows: { from: number; to: number }[] = [];
  private readonly startWaiters: { count: number; resolve: () => void }[] = [];
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
      for (const waiter of this.startWaiters.splice(0)) waiter.resolve();
    });
    await Promise.all([lanes, this.killLane(plan.kills), this.sampleMemory()]);
    const durationMs = Date.now() - startedAt;

    const statsAfter = await waitFor('the completion in flight to end', async () => {
      const stats = await completionStats();
      return stats.engineInFlight === 0 ? stats : undefined;
    });
    await sleep(2_000); // the engine's own clean-up after the last request
    const after = (await api.ping()).memory.rssBytes;
    return {
      seed: plan.seed,
      requests: plan.requests.length,
      ran: this.records.length,
      durationMs,
      boundMs: this.target.boundMs,
      chat: this.counts('chat'),
      completion: this.counts('completion'),
      kills: this.kills,
      conversations: this.conversations,
      unexplainedFailures: this.failures()
        .filter((failure) => !failure.explained)
        .map(({ line }) => line),
      failures: this.failures().map(({ line }) => line),
      slowest: this.records
        .filter((record) => record.outcome !== 'stuck')
        .sort((a, b) => b.endedAt - b.startedAt - (a.endedAt - a.startedAt))
        .slice(0, 5)
        .map((record) => this.describe(record)),
      maxPingMs: this.maxPingMs,
      engineRssBytes: { idle: idle.rss, peak: Math.max(this.peakRss, after), after },
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
   * engine's memory then is its idle level. Restarted first, so that it loads the weights from the cache as
   * every engine after a kill does, not converting them.
   */
  private async warmUp(): Promise<{ rss: number; heap: number }> {
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
    return { rss: (await api.ping()).memory.rssBytes, heap: process.memoryUsage().heapUsed };
  }

  private async chatLane(requests: { request: PlannedRequest; index: number }[]): Promise<void> {
    const { api, files } = this.target;
    for (const { request, index } of requests) {
      if (!this.running) return;
      if (request.newChat) this.endConversation();
      const record = this.begin(index, 'chat');
      const asking = api.chat.ask(`Question ${index}: what does ${files[request.place % files.length]} do?`, 'off');
      const turnId = api.chat.turns().at(-1)?.id ?? '';
      const stop =
        request.cancelAfterMs === undefined
          ? undefined
          : setTimeout(() => api.chat.stop(turnId), request.cancelAfterMs);
      const ended = await this.bounded(asking);
      clearTimeout(stop);
      if (ended === 'stuck') {
        this.end(record, 'stuck');
        this.running = false; // the next question would be refused while this one is still answering
        return;
      }
      if ('error' in ended) {
        this.end(record, 'failed', messageOf(ended.error));
        continue;
      }
      const turn = ended.value;
      this.conversation.push(turn);
      if (turn.finishReason === 'error') this.end(record, 'failed', turn.error ?? 'no message');
      else this.end(record, turn.finishReason === 'cancelled' ? 'cancelled' : 'answered');
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
      const record = this.begin(index, 'completion');
      const source = new vscode.CancellationTokenSource();
      const cancel =
        request.cancelAfterMs === undefined ? undefined : setTimeout(() => source.cancel(), request.cancelAfterMs);
      const errorsBefore = (await completionStats()).engineErrors;
      const ended = await this.bounded(
        inlineSuggestion(this.target.api, document, line, request.explicit, source.token),
      );
      clearTimeout(cancel);
      if (ended === 'stuck') this.end(record, 'stuck');
      else if ('error' in ended) this.end(record, 'failed', messageOf(ended.error));
      else if (ended.value !== '') this.end(record, 'answered');
      else if (source.token.isCancellationRequested) this.end(record, 'cancelled');
      else if ((await completionStats()).engineErrors > errorsBefore) this.end(record, 'failed', 'engine error');
      else this.end(record, 'empty');
      source.cancel();
      source.dispose();
    }
  }

  private async killLane(kills: readonly PlannedKill[]): Promise<void> {
    const { api, boundMs } = this.target;
    for (const kill of kills) {
      await new Promise<void>((resolve) => this.whenStarted(kill.afterRequests, resolve));
      await sleep(kill.delayMs);
      if (!this.running) return;
      // The pid and memory the sampler saw last: a ping now would wait behind the engine's work, and so delay the kill.
      const { pid, rssBytes } = this.engine ?? { pid: (await api.ping()).pid, rssBytes: 0 };
      const atRequest = this.records.length;
      const inFlight = this.inFlight.size;
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
      this.killWindows.push({ from: killedAt, to: restartedAt });
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

  private whenStarted(count: number, resolve: () => void): void {
    if (this.records.length >= count || !this.running) resolve();
    else this.startWaiters.push({ count, resolve });
  }

  private begin(index: number, kind: RequestRecord['kind']): RequestRecord {
    const record: RequestRecord = { index, kind, startedAt: Date.now(), endedAt: 0, outcome: 'stuck' };
    this.records.push(record);
    this.inFlight.add(index);
    for (const waiter of this.startWaiters.filter((candidate) => candidate.count <= this.records.length)) {
      this.startWaiters.splice(this.startWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    return record;
  }

  private end(record: RequestRecord, outcome: RequestRecord['outcome'], reason?: string): void {
    record.endedAt = Date.now();
    record.outcome = outcome;
    if (reason !== undefined) record.reason = reason;
    this.inFlight.delete(record.index);
  }

  private counts(kind: RequestRecord['kind']): OutcomeCounts {
    const counts = emptyCounts();
    for (const record of this.records.filter((candidate) => candidate.kind === kind)) {
      counts.maxMs = Math.max(counts.maxMs, record.endedAt - record.startedAt);
      if (record.outcome === 'failed') {
        const reason = record.reason ?? 'no message';
        counts.failed[reason] = (counts.failed[reason] ?? 0) + 1;
      } else if (record.outcome === 'stuck') counts.stuck++;
      else counts[record.outcome]++;
    }
    return counts;
  }

  /** Every failure, and whether a kill explains it: the request was in flight between a kill and the restart. */
  private failures(): { line: string; explained: boolean }[] {
    return this.records
      .filter((record) => record.outcome === 'failed')
      .map((record) => ({
        line: `${this.describe(record)}: ${record.reason ?? 'no message'}`,
        explained: this.killWindows.some(({ from, to }) => record.startedAt <= to && record.endedAt >= from),
      }));
  }

  /** A request's number, kind, outcome and time, and when it started and ended relative to the nearest kill. */
  private describe(record: RequestRecord): string {
    const near = this.killWindows.reduce<{ from: number; to: number } | undefined>(
      (best, window) =>
        best === undefined || Math.abs(window.from - record.startedAt) < Math.abs(best.from - record.startedAt)
          ? window
          : best,
      undefined,
    );
    const relative = (at: number) => `${at >= (near?.from ?? 0) ? '+' : ''}${at - (near?.from ?? 0)} ms`;
    const kill = near ? `, kill ${relative(record.startedAt)} → ${relative(record.endedAt)}` : '';
    return `#${record.index} ${record.kind} ${record.outcome} in ${record.endedAt - record.startedAt} ms${kill}`;
  }
}
