import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { OrtThreadData, OrtThreadReply, OrtThreadRequest } from './ortThreadProtocol';

export type FeedData = Float32Array | BigInt64Array | Int32Array | Uint8Array | Int8Array;

/** A graph input: ORT wraps the array's memory for the run without copying it. */
export interface Feed {
  data: FeedData;
  dims: readonly number[];
}

export interface OrtSessionOptions {
  /** Intra-op threads; ORT picks the number of physical cores when omitted. */
  threads?: number;
}

/**
 * Arrays a run borrows instead of copying (a KV cache): their buffers move to the session's thread for the
 * run and back, so the views the owner held are detached until `restoreArrays` hands it the returned ones.
 */
export interface LentArrays {
  /** Arrays each spanning its whole buffer; feeds that view them are lent, every other feed is copied. */
  lendArrays(): FeedData[];
  /** The same arrays, in the same order, once the run has ended (with or without an error). */
  restoreArrays(arrays: FeedData[]): void;
}

interface Pending {
  resolve: (reply: OrtThreadReply) => void;
  reject: (error: Error) => void;
}

const TSX_COMMONJS_HOOK = 'tsx/cjs';

/**
 * An inference session on the CPU execution provider, run by a worker thread of its own (ortThread.ts): a run
 * holds its thread for the whole run, and that must not be the thread that answers pings and cancels.
 */
export class OrtSession {
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(private readonly worker: Worker) {
    worker.on('message', (reply: OrtThreadReply) => {
      if (reply.type === 'ready' || reply.id === undefined) return;
      const pending = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      pending?.resolve(reply);
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const pending of this.pending.values()) pending.reject(this.failure);
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The onnxruntime thread exited (code ${code}).`)));
    worker.unref();
  }

  /** @param model a model file path (needed for external data) or serialized model bytes. */
  static async create(model: string | Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
    const data: OrtThreadData = { model, options };
    const script = __filename.endsWith('.ts')
      ? { file: join(__dirname, 'ortThread.ts'), execArgv: ['--require', require.resolve(TSX_COMMONJS_HOOK)] }
      : { file: join(__dirname, 'ortThread.js'), execArgv: [] };
    const worker = new Worker(script.file, { workerData: data, execArgv: script.execArgv });
    const opened = await new Promise<OrtThreadReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).catch(async (error: unknown) => {
      await worker.terminate();
      throw error;
    });
    if (opened.type === 'failed') {
      await worker.terminate();
      throw new Error(opened.message);
    }
    return new OrtSession(worker);
  }

  /**
   * Runs the graph and returns the requested outputs, copied out of onnxruntime: graphs should emit only what
   * the caller needs. Feeds viewing `lent`'s arrays are moved to the session's thread and back, not copied.
   */
  async run(
    feeds: Record<string, Feed>,
    outputNames: readonly string[],
    lent?: LentArrays,
  ): Promise<Record<string, FeedData>> {
    const arrays = lent?.lendArrays() ?? [];
    const buffers = arrays.map((array) => array.buffer as ArrayBuffer);
    const sent: Record<string, Feed> = {};
    for (const [name, { data, dims }] of Object.entries(feeds)) {
      // Posting a view copies its whole buffer: a view of part of one is copied out first.
      const whole = buffers.includes(data.buffer as ArrayBuffer) || data.byteLength === data.buffer.byteLength;
      sent[name] = { data: whole ? data : data.slice(), dims };
    }
    const id = this.nextId++;
    const reply = await this.request({ type: 'run', id, feeds: sent, outputNames, lent: buffers }, buffers);
    if (reply.type !== 'ran' && reply.type !== 'failed') throw new Error(`Unexpected reply ${reply.type}`);
    if (reply.lent) {
      const returned = reply.lent;
      lent?.restoreArrays(
        arrays.map((array, i) => new (array.constructor as new (b: ArrayBuffer) => FeedData)(returned[i])),
      );
    }
    if (reply.type === 'failed') throw new Error(reply.message);
    return reply.outputs;
  }

  async dispose(): Promise<void> {
    if (this.failure === undefined)
      await this.request({ type: 'dispose', id: this.nextId++ }, []).catch(() => undefined);
    this.failure ??= new Error('The onnxruntime session was disposed.');
    await this.worker.terminate();
  }

  private request(request: OrtThreadRequest, transfer: ArrayBuffer[]): Promise<OrtThreadReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(request, transfer);
    });
  }
}
