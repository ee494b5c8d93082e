import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { EngineError } from '../../shared/engineError';
import { EngineErrorCode } from '../../shared/protocol';

/**
 * Inline completions are short and someone is waiting on every keystroke; chats are long; warm-ups (filling
 * the prefix cache ahead of requests) wait for both; the repository prefix's prefill waits for all of them.
 */
export type Priority = 'completion' | 'chat' | 'background' | 'repository';
const RANK: Readonly<Record<Priority, number>> = { completion: 0, chat: 1, background: 2, repository: 3 };

/** A request's hold on the decoder, from `acquire` until `release`. */
export interface Turn {
  /**
   * A step boundary (after a decode step or a prefill chunk), where a cancellation or a new request read during
   * the run takes effect: hands the decoder to a more urgent request if one waits, and resolves when it is this
   * request's turn again.
   * Rejects with the signal's reason once it is aborted.
   */
  yield(signal: AbortSignal): Promise<void>;
  /** Gives the decoder up for good; safe to call more than once. */
  release(): void;
}

interface Entry {
  rank: number;
  /** Admission order: first come, first served within a priority, and a paused request keeps its place. */
  order: number;
  state: 'waiting' | 'holding' | 'idle';
  /** Released: no longer counted among the admitted requests. */
  finished: boolean;
  grant?: () => void;
}

/**
 * Shares the processor among requests, one step at a time, whichever KV sequence they run on. The most urgent
 * request holds it (completions before chats, then first come first served) and keeps it across its steps until a
 * more urgent one arrives, which takes over at the next step boundary; requests of equal priority never preempt
 * each other, since a switch on one sequence costs a restore of the other request's rows. The number of admitted
 * requests is capped: each holds its tokens, and a paused one its cached state.
 */
export class DecoderScheduler {
  private holder: Entry | undefined;
  private readonly waiting: Entry[] = [];
  private admitted = 0;
  private nextOrder = 0;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(private readonly maxRequests: number) {}

  /** Requests admitted and not yet released: running, paused or queued. */
  get activeRequests(): number {
    return this.admitted;
  }

  /** Waits for the decoder. Throws TooManyRequests when the queue is full, or the signal's reason on abort. */
  async acquire(priority: Priority, signal: AbortSignal): Promise<Turn> {
    signal.throwIfAborted();
    if (this.admitted >= this.maxRequests) {
      throw new EngineError(
        EngineErrorCode.TooManyRequests,
        `${this.admitted} requests are already running or waiting for the model, the most the engine queues.`,
        'Wait for earlier requests to finish, or cancel the ones no longer needed.',
      );
    }
    this.admitted++;
    const entry: Entry = { rank: RANK[priority], order: this.nextOrder++, state: 'waiting', finished: false };
    try {
      await this.wait(entry, signal);
    } catch (error) {
      this.finish(entry);
      throw error;
    }
    return {
      yield: async (stepSignal) => {
        await yieldToEventLoop();
        stepSignal.throwIfAborted();
        const next = this.waiting[0];
        if (entry.state !== 'holding' || next === undefined || next.rank >= entry.rank) return;
        this.holder = undefined;
        entry.state = 'waiting';
        this.grantNext();
        await this.wait(entry, stepSignal);
      },
      release: () => this.finish(entry),
    };
  }

  /** Resolves once no request is admitted. */
  idle(): Promise<void> {
    if (this.admitted === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private wait(entry: Entry, signal: AbortSignal): Promise<void> {
    if (this.holder === undefined && (this.waiting.length === 0 || precedes(entry, this.waiting[0]))) {
      this.take(entry);
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.dequeue(entry);
        reject(signal.reason as Error); // what throwIfAborted throws: an AbortError unless the aborter gave a reason
      };
      entry.grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      this.enqueue(entry);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  private take(entry: Entry): void {
    this.holder = entry;
    entry.state = 'holding';
  }

  private enqueue(entry: Entry): void {
    const index = this.waiting.findIndex((other) => precedes(entry, other));
    this.waiting.splice(index < 0 ? this.waiting.length : index, 0, entry);
  }

  private dequeue(entry: Entry): void {
    const index = this.waiting.indexOf(entry);
    if (index >= 0) this.waiting.splice(index, 1);
    entry.state = 'idle';
  }

  private grantNext(): void {
    const next = this.waiting.shift();
    if (next === undefined) return;
    this.take(next);
    next.grant?.();
  }

  /** The request is done (or gave up waiting): free its place, and the decoder if it held it. */
  private finish(entry: Entry): void {
    if (entry.finished) return;
    entry.finished = true;
    if (entry.state === 'holding') {
      entry.state = 'idle';
      this.holder = undefined;
      this.grantNext();
    } else if (entry.state === 'waiting') {
      this.dequeue(entry);
    }
    this.admitted--;
    if (this.admitted === 0) {
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }
}

function precedes(a: Entry, b: Entry): boolean {
  return a.rank < b.rank || (a.rank === b.rank && a.order < b.order);
}
