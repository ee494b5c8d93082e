/** Messages between DecoderThread (the engine's thread) and decoderWorker.ts, which owns a session and its cache. */
import type { KvCacheDtype } from '../../shared/protocol';
import type { MessagePort } from 'node:worker_threads';
import type { KvGeometry, KvRows } from './kvCache';

export interface DecoderWorkerData {
  /** A model file path (needed for external data) or serialized model bytes. */
  model: string | Uint8Array;
  threads?: number;
  geometry: KvGeometry & { hiddenSize: number };
  kvCacheDtype: KvCacheDtype;
  /** Most positions of each KV sequence: the main one (the context), then the completion one if any. */
  sequenceLengths: readonly number[];
  /** Int32 [1]: set to 1 and notified when a copyRows reply is on `syncPort`. */
  syncFlag: SharedArrayBuffer;
  syncPort: MessagePort;
}

/**
 * Requests in order; truncate and appendRows are not answered (the engine's thread checks them first). `sequence`
 * picks the KV cache a request reads and writes, by its index in `sequenceLengths`.
 */
export type DecoderWorkerRequest =
  | {
      type: 'run';
      id: number;
      sequence: number;
      embeds: Float32Array;
      cos: Float32Array;
      sin: Float32Array;
      count: number;
    }
  | { type: 'truncate'; sequence: number; length: number }
  | { type: 'appendRows'; sequence: number; rows: KvRows; offset: number; count: number }
  | { type: 'copyRows'; sequence: number; from: number; to: number }
  | { type: 'dispose'; id: number };

export type DecoderWorkerReply =
  | { type: 'ready' }
  | { type: 'ran'; id: number; logits: Float32Array }
  | { type: 'disposed'; id: number }
  /** `id` is absent when opening the session failed. */
  | { type: 'failed'; id?: number; message: string };

/** The reply to copyRows, on the sync port. */
export type CopyRowsReply = { rows: KvRows } | { message: string };
