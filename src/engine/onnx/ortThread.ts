// The only file that imports onnxruntime: a worker thread that owns one session, so that a run, which holds
// its thread for the whole run, never holds the engine's RPC thread (pings, cancels and context/* go on).
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import type { FeedData } from './ortSession';
import type { OrtThreadData, OrtThreadReply, OrtThreadRequest } from './ortThreadProtocol';

const port = parentPort!;
const reply = (message: OrtThreadReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

async function open({ model, options }: OrtThreadData): Promise<ort.InferenceSession> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    executionMode: 'sequential',
    // Shapes change with every cache bucket and chunk: per-shape memory patterns would only pile up.
    enableMemPattern: false,
    // The arena keeps the largest temporaries a run needed, which the decoder's scores budget bounds; without
    // it the C allocator kept freed prefill temporaries for unpredictable times.
    enableCpuMemArena: true,
    ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
    // The pool's threads spin between the parallel parts of a run, then sleep when it ends: left spinning, they
    // take the cores from whatever runs next (another model's step, the parser threads, the tokenizer).
    extra: { session: { force_spinning_stop: '1' } },
  };
  return typeof model === 'string'
    ? ort.InferenceSession.create(model, sessionOptions)
    : ort.InferenceSession.create(model, sessionOptions);
}

async function serve(session: ort.InferenceSession, request: OrtThreadRequest): Promise<void> {
  if (request.type === 'dispose') {
    await session.release();
    reply({ type: 'disposed', id: request.id });
    return;
  }
  const { id, feeds, outputNames, lent } = request;
  try {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) inputs[name] = new ort.Tensor(feed.data, feed.dims);
    const results = await session.run(inputs, outputNames);
    const outputs: Record<string, FeedData> = {};
    for (const name of outputNames) outputs[name] = results[name].data as FeedData;
    const buffers = Object.values(outputs).map((data) => data.buffer as ArrayBuffer);
    reply({ type: 'ran', id, outputs, lent }, [...new Set([...buffers, ...lent])]);
  } catch (error) {
    reply({ type: 'failed', id, message: error instanceof Error ? error.message : String(error), lent }, lent);
  }
}

open(workerData as OrtThreadData).then(
  (session) => {
    port.on('message', (request: OrtThreadRequest) => void serve(session, request));
    reply({ type: 'ready' });
  },
  (error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }),
);
