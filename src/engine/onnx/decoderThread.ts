import { join } from 'node:path';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import type { KvCacheDtype } from '../../shared/protocol';
import type { KvGeometry, KvRows } from './kvCache';
import type {
  CopyRowsReply,
  DecoderWorkerData,
  DecoderWorkerReply,
  DecoderWorkerRequest,
} from './decoderWorkerProtocol';

export interface DecoderThreadOptions {
  model: string | Uint8Array;
  threads?: number;
  geometry: KvGeometry & { hiddenSize: number };
  kvCacheDtype: KvCacheDtype;
  /** Most positions of each KV sequence the thread holds (DecoderWorkerData). */
  sequenceLengths: readonly number[];
}

const TSX_COMMONJS_HOOK = 'tsx/cjs';

/**
 * The engine's side of decoderWorker.ts: runs go to the thread and their logits come back; truncate and
 * appendRows are posted in order without an answer; copyRows waits for the thread, as the caches' owner. Each
 * call names the sequence (KV cache) it is for.
 */
export class DecoderThread {
  private readonly pending = new Map<number, (reply: DecoderWorkerReply) => void>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly syncFlag: Int32Array,
    private readonly syncPort: MessagePort,
  ) {
    worker.on('message', (reply: DecoderWorkerReply) => {
      if (reply.type === 'ready' || reply.id === undefined) return;
      const resolve = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) worker.unref();
      resolve?.(reply);
    });
    const fail = (error: Error): void => {
      this.failure ??= error;
      for (const resolve of this.pending.values()) resolve({ type: 'failed', message: this.failure.message });
      this.pending.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`The decoder thread exited (code ${code}).`)));
    worker.unref();
  }

  static async start(options: DecoderThreadOptions): Promise<DecoderThread> {
    const syncFlag = new SharedArrayBuffer(4);
    const { port1, port2 } = new MessageChannel();
    const data: DecoderWorkerData = { ...options, syncFlag, syncPort: port2 };
    const script = __filename.endsWith('.ts')
      ? { file: join(__dirname, 'decoderWorker.ts'), execArgv: ['--require', require.resolve(TSX_COMMONJS_HOOK)] }
      : { file: join(__dirname, 'decoderWorker.js'), execArgv: [] };
    const worker = new Worker(script.file, { workerData: data, transferList: [port2], execArgv: script.execArgv });
    const opened = await new Promise<DecoderWorkerReply>((resolve, reject) => {
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
    return new DecoderThread(worker, new Int32Array(syncFlag), port1);
  }

  /** Runs `count` new positions (their embeddings and RoPE rows) and returns the last one's logits. */
  async run(
    sequence: number,
    embeds: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    count: number,
  ): Promise<Float32Array> {
    const id = this.nextId++;
    const reply = await this.request({ type: 'run', id, sequence, embeds, cos, sin, count });
    if (reply.type === 'failed') throw new Error(reply.message);
    if (reply.type !== 'ran') throw new Error(`Unexpected reply ${reply.type} to a run`);
    return reply.logits;
  }

  truncate(sequence: number, length: number): void {
    this.post({ type: 'truncate', sequence, length });
  }

  appendRows(sequence: number, rows: KvRows, offset: number, count: number): void {
    this.post({ type: 'appendRows', sequence, rows, offset, count });
  }

  /** Blocks until the thread has copied the rows: it is idle whenever the decoder is. */
  copyRows(sequence: number, from: number, to: number): KvRows {
    this.post({ type: 'copyRows', sequence, from, to });
    Atomics.wait(this.syncFlag, 0, 0);
    Atomics.store(this.syncFlag, 0, 0);
    const answer = receiveMessageOnPort(this.syncPort)?.message as CopyRowsReply | undefined;
    if (answer === undefined) throw new Error('The decoder thread sent no rows');
    if ('message' in answer) throw new RangeError(answer.message);
    return answer.rows;
  }

  async dispose(): Promise<void> {
    if (this.failure === undefined) await this.request({ type: 'dispose', id: this.nextId++ });
    this.failure ??= new Error('The decoder thread was disposed.');
    this.syncPort.close();
    await this.worker.terminate();
  }

  private post(request: DecoderWorkerRequest): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(request);
  }

  private request(request: DecoderWorkerRequest & { id: number }): Promise<DecoderWorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve) => {
      this.pending.set(request.id, resolve);
      this.worker.ref();
      this.worker.postMessage(request);
    });
  }
}
