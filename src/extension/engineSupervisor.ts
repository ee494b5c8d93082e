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
import { describeExit, EngineProcess } from './engineProcess';
import { RestartPolicy } from './restartPolicy';

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
  log: (line: string) => void;
  policy?: RestartPolicy;
  now?: () => number;
}

/**
 * Owns the engine's lifetime: started on first use, restarted with backoff when it dies, given up on
 * after the policy's cap (state "failed" until the user restarts it). Free of the VS Code API.
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
  private readonly now: () => number;
  /** One emitter per notification method, fed by whichever engine process is running. */
  private readonly notifications = new Map<EngineNotification, Emitter<unknown>>();

  constructor(private readonly options: EngineSupervisorOptions) {
    this.policy = options.policy ?? new RestartPolicy();
    this.now = options.now ?? Date.now;
  }

  get state(): EngineStateChange {
    return this.current;
  }

  /** The running engine, started if need be. Rejects when it cannot start or has failed for good. */
  ready(): Promise<EngineProcess> {
    if (this.disposed) return Promise.reject(new Error('Hearth is shutting down.'));
    if (this.current.state === 'failed') {
      return Promise.reject(
        new Error(`The Hearth engine failed: ${this.current.detail ?? 'see the logs'}. Run "Hearth: Restart Engine".`),
      );
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
    return sendEngineRequest(engine.connection, method, params, token);
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
        log: this.options.log,
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
      return engine;
    } catch (error) {
      this.starting = undefined;
      this.onCrash(`start-up failed: ${error instanceof Error ? error.message : String(error)}`);
      throw error;
    }
  }

  private onExit(engine: EngineProcess, how: string): void {
    if (engine !== this.engine) return; // stopped on purpose by restart() or dispose()
    this.engine = undefined;
    this.starting = undefined;
    this.onCrash(`the engine exited unexpectedly (${how})`);
  }

  private onCrash(reason: string): void {
    if (this.disposed) return;
    this.options.log(`[hearth] ${reason}`);
    const delay = this.policy.onCrash(this.now());
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
    const engine = this.engine;
    this.engine = undefined;
    this.starting = undefined;
    await engine?.stop();
    this.stateEmitter.dispose();
    for (const emitter of this.notifications.values()) emitter.dispose();
  }
}
