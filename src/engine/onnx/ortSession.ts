// The only file that imports onnxruntime: everything else speaks plain typed arrays.
import * as ort from 'onnxruntime-node';

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

/** An inference session on the CPU execution provider with full graph optimization. */
export class OrtSession {
  private constructor(private readonly session: ort.InferenceSession) {}

  /** @param model a model file path (needed for external data) or serialized model bytes. */
  static async create(model: string | Uint8Array, options: OrtSessionOptions = {}): Promise<OrtSession> {
    const sessionOptions: ort.InferenceSession.SessionOptions = {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      // Shapes change with every cache bucket and chunk: per-shape memory patterns would only pile up.
      enableMemPattern: false,
      // The arena keeps the largest temporaries a run needed, which the decoder's scores budget bounds. Without
      // it, the C allocator kept 0.3–1.5 GB of freed prefill temporaries at unpredictable times (measured peak
      // RSS over an 8K prefill: 1.79 GB with the arena, 2.08–2.64 GB without, int8 KV cache, 0.6B).
      enableCpuMemArena: true,
      ...(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {}),
      // The pool's threads spin between the parallel parts of a run, then sleep when it ends. Left spinning,
      // they take the cores from whatever runs next: a second model's step (the engine interleaves chat,
      // completion and reasoning models at step boundaries), the parser threads, the tokenizer. Measured on 2
      // cores, 0.6B int8, two models taking turns: 54–59 ms a step left spinning, 35–38 ms stopped; one model
      // alone, prefill and decode at 16 and 2,048 positions the same either way. (Never spinning instead cost
      // one model alone 5–9%.)
      extra: { session: { force_spinning_stop: '1' } },
    };
    const session =
      typeof model === 'string'
        ? await ort.InferenceSession.create(model, sessionOptions)
        : await ort.InferenceSession.create(model, sessionOptions);
    return new OrtSession(session);
  }

  /**
   * Runs the graph and returns the requested outputs. It blocks the event loop for the whole run, and every
   * output is copied into a new JS buffer, so graphs should emit only what the caller needs.
   */
  async run(feeds: Record<string, Feed>, outputNames: readonly string[]): Promise<Record<string, FeedData>> {
    const inputs: Record<string, ort.Tensor> = {};
    for (const [name, feed] of Object.entries(feeds)) inputs[name] = new ort.Tensor(feed.data, feed.dims);
    const results = await this.session.run(inputs, outputNames);
    const outputs: Record<string, FeedData> = {};
    for (const name of outputNames) outputs[name] = results[name].data as FeedData;
    return outputs;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
