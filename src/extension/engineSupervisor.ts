import { CancellationToken, Disposable, Emitter, type Event } from 'vscode-jsonrpc';
import { onEngineNotification, sendEngineRequest } from '../shared/engineRpc';
import type {
  EngineMethod,
  EngineNotification,
  EngineNotificationParams,
  EngineParams,
  EngineResult,
  LogLevel,
} from '../shared/protocol';
import type { EngineState } from '../shared/webviewProtocol';
import { EngineFailedError } from './engineFailedError';
import { EngineHungError } from './engineHungError';
import { describeExit, EngineProcess } from './engineProcess';
import { defaultWatchdog, EngineWatchdog, type EngineWatchdogOptions } from './engineWatchdog';
import { RestartPolicy } from './restartPolicy';

/** Requests whose success says nothing about the engine's health: they do not refill the restart budget. */
const healthNeutral: ReadonlySet<EngineMethod> = new Set(['ping', 'initialize']);

export interface EngineStateChange {
  state: EngineState;
  /** Why: the exit status, the start-up error, or the pid and version once ready. */
  detail?: string;
  pid?: number;
}

export interface EngineSupervisorOptions {
  enginePath: string;
  clientVersion: string;
  logLevel: () => LogLevel;
  /** Variables added to the engine's environment, read at each start (a restart takes changed settings). */
  environment?: () => Record<string, string>;
  log: (line: string) => void;
  policy?: RestartPolicy;
  watchdog?: EngineWatchdogOptions;
}

/**
 * Owns the engine's lifetime: started on first use, restarted with backoff when it dies or stops answering
 * pings, given up on after the policy's budget (state "failed" until the user restarts it). Free of VS Code.
 */
export class EngineSupervisor {
  private readonly stateEmitter = new Emitter<EngineStateChange>();
  readonly onDidChangeState: Event<EngineStateChange> = this.stateEmitter.event;

  private current: EngineStateChange = { state: 'idle' };
  private engine: EngineProcess | undefined;
  /** The start in progress, or the running engine; undefined when idle or failed. */
  private starting: Promise<EngineProcess> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly policy: RestartPolicy;
  private watchdog: EngineWatchdog | undefined;
  /** `model/load` requests in flight: the watchdog allows them its longer bound. */
  private loadsInFlight = 0;
  /** Engines the watchdog killed, with the error their requests in flight end with. */
  private readonly hung = new WeakMap<EngineProcess, EngineHungError>();
  /** One emitter per notification method, fed by whichever engine process is running. */
  private readonly notifications = new Map<EngineNotification, Emitter<unknown>>();

  constructor(private readonly options: EngineSupervisorOptions) {
    this.policy = options.policy ?? new RestartPolicy();
  }

  get state(): EngineStateChange {
    return this.current;
  }

  /** The running engine, started if need be. Rejects when it cannot start or has failed for good. */
  ready(): Promise<EngineProcess> {
    if (this.disposed) return Promise.reject(new Error('Hearth is shutting down.'));
    if (this.current.state === 'failed') {
      return Promise.reject(new EngineFailedError(this.current.detail ?? 'see the logs'));
    }
    this.starting ??= this.start();
    return this.starting;
  }

  async request<M extends EngineMethod>(
    method: M,
    params: EngineParams<M>,
    token?: CancellationToken,
  ): Promise<EngineResult<M>> {
    const engine = await this.ready();
    const loading = method === 'model/load';
    if (loading) this.loadsInFlight++;
    try {
      const result = await sendEngineRequest(engine.connection, method, params, token);
      if (!healthNeutral.has(method)) this.policy.onSuccess();
      return result;
    } catch (error) {
      throw this.hung.get(engine) ?? error;
    } finally {
      if (loading) this.loadsInFlight--;
    }
  }

  /** Listens for an engine notification, from this engine process and any restarted one. */
  onNotification<N extends EngineNotification>(
    method: N,
    handler: (params: EngineNotificationParams<N>) => void,
  ): Disposable {
    let emitter = this.notifications.get(method);
    if (emitter === undefined) {
      emitter = new Emitter<unknown>();
      this.notifications.set(method, emitter);
      if (this.engine) this.forward(this.engine, method, emitter);
    }
    return emitter.event((params) => handler(params as EngineNotificationParams<N>));
  }

  private forward(engine: EngineProcess, method: EngineNotification, emitter: Emitter<unknown>): void {
    onEngineNotification(engine.connection, method, (params) => {
      emitter.fire(params);
    });
  }

  /** A user-requested restart: stops the engine, forgets earlier crashes and starts afresh. */
  async restart(): Promise<EngineProcess> {
    this.clearRestartTimer();
    this.policy.reset();
    const old = this.engine;
    this.engine = undefined;
    this.starting = undefined;
    this.stopWatchdog();
    await old?.stop();
    this.setState({ state: 'idle' });
    return this.ready();
  }

  private async start(): Promise<EngineProcess> {
    this.setState({ state: this.current.state === 'restarting' ? 'restarting' : 'starting' });
    try {
      const { engine, info } = await EngineProcess.start({
        enginePath: this.options.enginePath,
        clientName: 'vscode',
        clientVersion: this.options.clientVersion,
        logLevel: this.options.logLevel(),
        env: this.options.environment?.(),
        log: this.options.log,
        initializeTimeoutMs: (this.options.watchdog ?? defaultWatchdog).timeoutMs,
      });
      if (this.disposed) {
        engine.kill();
        throw new Error('Hearth is shutting down.');
      }
      this.engine = engine;
      for (const [method, emitter] of this.notifications) this.forward(engine, method, emitter);
      this.options.log(`[hearth] engine ${info.engineVersion} ready (pid ${info.pid})`);
      this.setState({ state: 'ready', detail: `engine ${info.engineVersion}, pid ${info.pid}`, pid: info.pid });
      void engine.exited.then((exit) => this.onExit(engine, describeExit(exit)));
      this.watch(engine);
      return engine;
    } catch (error) {
      this.starting = undefined;
      this.onCrash(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  /** Kills the engine when it answers no ping in time; its exit then restarts it like any crash. */
  private watch(engine: EngineProcess): void {
    this.stopWatchdog();
    const bounds = this.options.watchdog ?? defaultWatchdog;
    this.watchdog = new EngineWatchdog(
      () => sendEngineRequest(engine.connection, 'ping', undefined),
      bounds.intervalMs,
      () => (this.loadsInFlight > 0 ? bounds.loadTimeoutMs : bounds.timeoutMs),
      (silentMs) => {
        this.hung.set(engine, new EngineHungError(silentMs));
        this.options.log(`[hearth] the engine (pid ${engine.pid}) answered no ping for ${silentMs} ms; killing it`);
        engine.kill();
      },
    );
  }

  private stopWatchdog(): void {
    this.watchdog?.dispose();
    this.watchdog = undefined;
  }

  private onExit(engine: EngineProcess, how: string): void {
    if (engine !== this.engine) return; // stopped on purpose by restart() or dispose()
    this.engine = undefined;
    this.starting = undefined;
    this.stopWatchdog();
    const hung = this.hung.get(engine);
    this.onCrash(
      hung
        ? `the engine stopped responding (${hung.silentMs} ms without a ping answered)`
        : `the engine exited unexpectedly (${how})`,
    );
  }

  private onCrash(reason: string): void {
    if (this.disposed) return;
    this.options.log(`[hearth] ${reason}`);
    const delay = this.policy.onCrash();
    if (delay === undefined) {
      this.setState({ state: 'failed', detail: reason });
      return;
    }
    this.options.log(`[hearth] restarting the engine in ${delay} ms`);
    this.setState({ state: 'restarting', detail: reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ready().catch(() => undefined); // a failed start is reported through onCrash
    }, delay);
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private setState(change: EngineStateChange): void {
    this.current = change;
    this.stateEmitter.fire(change);
  }

  /** Stops the engine (shutdown request, then kill after a grace period). */
  async dispose(): Promise<void> {
    this.disposed = true;
    this.clearRestartTimer();
    this.stopWatchdog();
    const engine = this.engine;
    this.engine = undefined;
    this.starting = undefined;
    await engine?.stop();
    this.stateEmitter.dispose();
    for (const emitter of this.notifications.values()) emitter.dispose();
  }
}
