/** Messages between OrtSession (the engine's RPC thread) and ortThread.ts, the thread that runs onnxruntime. */
import type { Feed, FeedData, OrtSessionOptions } from './ortSession';

/** The thread's workerData: the model to open, a file path (needed for external data) or its bytes. */
export interface OrtThreadData {
  model: string | Uint8Array;
  options: OrtSessionOptions;
}

export type OrtThreadRequest =
  | {
      type: 'run';
      id: number;
      feeds: Record<string, Feed>;
      outputNames: readonly string[];
      /** Buffers moved to the thread for the run (views of them among the feeds); they travel back in the reply. */
      lent: ArrayBuffer[];
    }
  | { type: 'dispose'; id: number };

export type OrtThreadReply =
  | { type: 'ready' }
  | { type: 'ran'; id: number; outputs: Record<string, FeedData>; lent: ArrayBuffer[] }
  | { type: 'disposed'; id: number }
  /** `id` is absent when opening the session failed. */
  | { type: 'failed'; id?: number; message: string; lent?: ArrayBuffer[] };
