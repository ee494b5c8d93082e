// A worker thread that owns one decoder's onnxruntime session and its KV caches, one per sequence: a run holds its
// thread for the whole run, and the engine's thread must keep answering pings, cancels and context/* meanwhile.
// The caches live here because moving their buffers between threads for every run cost a GC per run.
import type { MessagePort } from 'node:worker_threads';
import { parentPort, workerData } from 'node:worker_threads';
import { DecoderIo } from './decoderGraph';
import type {
  CopyRowsReply,
  DecoderWorkerData,
  DecoderWorkerReply,
  DecoderWorkerRequest,
} from './decoderWorkerProtocol';
import { Float32KvCache } from './float32KvCache';
import { Int8KvCache } from './int8KvCache';
import type { KvCache, KvLayerInputs } from './kvCache';
import { OrtSession, type Feed } from './ortSession';

const port = parentPort!;
const data = workerData as DecoderWorkerData;
const reply = (message: DecoderWorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);
const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

class DecoderCore {
  /** An error of a request that is not answered (truncate, appendRows), reported by the next run. */
  private failure: string | undefined;

  constructor(
    private readonly session: OrtSession,
    /** One per sequence: a run binds its sequence's buffers as the graph's past inputs. */
    private readonly caches: readonly KvCache[],
    private readonly syncFlag: Int32Array,
    private readonly syncPort: MessagePort,
  ) {}

  async serve(request: DecoderWorkerRequest): Promise<void> {
    switch (request.type) {
      case 'run':
        try {
          if (this.failure !== undefined) throw new Error(this.failure);
          const cache = this.cacheOf(request.sequence);
          const logits = await this.run(cache, request.embeds, request.cos, request.sin, request.count);
          reply({ type: 'ran', id: request.id, logits }, [logits.buffer as ArrayBuffer]);
        } catch (error) {
          reply({ type: 'failed', id: request.id, message: errorMessage(error) });
        }
        return;
      case 'truncate':
      case 'appendRows':
        try {
          const cache = this.cacheOf(request.sequence);
          if (request.type === 'truncate') cache.truncate(request.length);
          else cache.appendRows(request.rows, request.offset, request.count);
        } catch (error) {
          this.failure ??= errorMessage(error);
        }
        return;
      case 'copyRows': {
        let answer: CopyRowsReply;
        try {
          answer = { rows: this.cacheOf(request.sequence).copyRows(request.from, request.to) };
        } catch (error) {
          answer = { message: errorMessage(error) };
        }
        this.syncPort.postMessage(answer);
        Atomics.store(this.syncFlag, 0, 1);
        Atomics.notify(this.syncFlag, 0);
        return;
      }
      case 'dispose':
        await this.session.dispose();
        reply({ type: 'disposed', id: request.id });
        return;
      default:
        return request satisfies never;
    }
  }

  private cacheOf(sequence: number): KvCache {
    const cache = this.caches[sequence];
    if (cache === undefined) throw new RangeError(`no KV sequence ${sequence} (${this.caches.length} held)`);
    return cache;
  }

  private async run(
    cache: KvCache,
    embeds: Float32Array,
    cos: Float32Array,
    sin: Float32Array,
    count: number,
  ): Promise<Float32Array> {
    const { numLayers, hiddenSize, headDim } = data.geometry;
    cache.reserve(cache.length + count);
    const feeds: Record<string, Feed> = {
      [DecoderIo.inputEmbeds]: { data: embeds, dims: [1, count, hiddenSize] },
      [DecoderIo.ropeCos]: { data: cos, dims: [count, headDim / 2] },
      [DecoderIo.ropeSin]: { data: sin, dims: [count, headDim / 2] },
      [DecoderIo.attentionMask]: { data: cache.attentionMask(count), dims: [count, cache.capacity + count] },
    };
    const outputs: string[] = [DecoderIo.logits];
    for (let layer = 0; layer < numLayers; layer++) {
      const inputs = cache.layer(layer);
      for (const role of Object.keys(inputs) as (keyof KvLayerInputs)[])
        feeds[DecoderIo.past(role, layer)] = inputs[role]!;
      outputs.push(DecoderIo.newKey(layer), DecoderIo.newValue(layer));
    }
    const results = await this.session.run(feeds, outputs);
    const layerOutputs = (name: (layer: number) => string) =>
      Array.from({ length: numLayers }, (_, layer) => results[name(layer)] as Float32Array);
    cache.append(layerOutputs(DecoderIo.newKey), layerOutputs(DecoderIo.newValue), count);
    return results[DecoderIo.logits] as Float32Array;
  }
}

OrtSession.create(data.model, data.threads === undefined ? {} : { threads: data.threads }).then(
  (session) => {
    const caches = data.sequenceLengths.map((length) =>
      data.kvCacheDtype === 'int8' ? new Int8KvCache(data.geometry, length) : new Float32KvCache(data.geometry, length),
    );
    const core = new DecoderCore(session, caches, new Int32Array(data.syncFlag), data.syncPort);
    // One request at a time, in order: a run's awaits must not let the next request in.
    let queue = Promise.resolve();
    port.on('message', (request: DecoderWorkerRequest) => {
      queue = queue.then(() => core.serve(request));
    });
    reply({ type: 'ready' });
  },
  (error: unknown) => reply({ type: 'failed', message: errorMessage(error) }),
);
