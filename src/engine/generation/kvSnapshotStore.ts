import { readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { KvCacheDtype } from '../../shared/protocol';
import { AtomicFile } from '../base/atomicFile';
import { makePrivateFolder } from '../base/privateFolder';
import type { Logger } from '../base/logger';
import type { KvGeometry, KvRows } from '../onnx/kvCache';
import {
  BLOCK_POSITIONS,
  blockCount,
  blockOffset,
  blockPositions,
  blockStride,
  decodeBlock,
  encodeBlock,
  encodePreamble,
  KV_SNAPSHOT_EXTENSION,
  KV_SNAPSHOT_FORMAT,
  type KvSnapshotHeader,
  type KvSnapshotLayout,
} from './kvSnapshotFormat';
import { kvSnapshotFolders, readKvSnapshotLayout, removeDeadTemporaries } from './kvSnapshotListing';
import { commonPrefixLength } from './prefixCache';

/** Errors that mean the disk (or the folder) cannot take more: persistence stops, serving goes on. */
const UNWRITABLE = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'ENOTDIR']);

export interface KvSnapshotStoreOptions {
  /** `<cacheDir>/kv`: every model's snapshots, one folder per key, share the budget. */
  root: string;
  modelKey: string;
  dtype: KvCacheDtype;
  geometry: KvGeometry;
  /** Most bytes all snapshots may take; the least recently used go first. */
  budgetBytes: number;
  logger: Pick<Logger, 'warn' | 'info' | 'debug'>;
}

interface Entry {
  path: string;
  layout: KvSnapshotLayout;
  /** Identifies the file version the layout was read from. */
  stamp: string;
}

/** A stored prefix that carries a request further than what the decoder holds. */
export interface StoredPrefix {
  entry: Entry;
  /** The sequence position after the positions it can give. */
  end: number;
}

/**
 * KV snapshots of prefixes on disk, so that a new engine process (or a new conversation) restores a repository
 * prefix instead of computing it. Files are checked before use and discarded when they fail (log line, the
 * caller computes); writes are atomic, so two processes writing one snapshot never leave a torn file.
 */
export class KvSnapshotStore {
  readonly dir: string;
  private readonly entries = new Map<string, Entry>();
  /** Set once writing failed for lack of room or permission: logged once, serving goes on without it. */
  private writesDisabled = false;

  constructor(private readonly options: KvSnapshotStoreOptions) {
    this.dir = join(options.root, options.modelKey);
  }

  /** The stored prefix that matches `tokens` furthest past `from` (up to `limit`), if any goes past it. */
  find(tokens: ArrayLike<number>, from: number, limit: number): StoredPrefix | undefined {
    this.refresh();
    let best: StoredPrefix | undefined;
    for (const entry of this.entries.values()) {
      const end = commonPrefixLength(tokens, entry.layout.tokens, limit);
      if (end > from && end > (best?.end ?? 0)) best = { entry, end };
    }
    return best;
  }

  /**
   * Streams positions [from, end) of a stored prefix into `append`, one block at a time through one buffer,
   * until `append` returns false. Returns false, having discarded the file, when a block fails its checksum or
   * the file is gone or short: positions appended before that are the caller's to drop.
   */
  async restore(
    { entry, end }: StoredPrefix,
    from: number,
    append: (rows: KvRows, offset: number, count: number) => boolean | void,
  ): Promise<boolean> {
    const { header } = entry.layout;
    const started = performance.now();
    let bytesRead = 0;
    let reached = from;
    let file;
    try {
      file = await open(entry.path, 'r');
    } catch (error) {
      this.forget(entry, `cannot be opened: ${(error as Error).message}`);
      return false;
    }
    try {
      const buffer = Buffer.from(new ArrayBuffer(blockStride(header, 0)));
      for (let index = Math.floor(from / header.blockPositions); index * header.blockPositions < end; index++) {
        const first = index * header.blockPositions;
        const stride = blockStride(header, index);
        const read = (await file.read(buffer, 0, stride, blockOffset(entry.layout, index))).bytesRead;
        bytesRead += read;
        const rows = read === stride ? decodeBlock(header, index, buffer) : undefined;
        if (rows === undefined) {
          this.discard(entry, `block ${index} ${read === stride ? 'fails its checksum' : 'is truncated'}`);
          return false;
        }
        const offset = Math.max(from, first) - first;
        const count = Math.min(end, first + blockPositions(header, index)) - first - offset;
        reached = first + offset + count;
        if (append(rows, offset, count) === false) break;
      }
    } finally {
      await file.close();
    }
    touch(entry.path);
    this.options.logger.debug(
      `KV snapshot: restored positions [${from}, ${reached}) from disk, ${bytesRead} bytes in ${(performance.now() - started).toFixed(1)} ms`,
    );
    return true;
  }

  /** Whether a stored snapshot holds all of `tokens`. */
  covers(tokens: ArrayLike<number>): boolean {
    return this.find(tokens, tokens.length - 1, tokens.length)?.end === tokens.length;
  }

  /**
   * Writes a snapshot of `tokens`, asking `rowsOf` for each block's rows (undefined: they are no longer at hand,
   * and the write is dropped). Makes room first by evicting the least recently used snapshots. Returns whether
   * the snapshot was stored.
   */
  async write(tokens: Int32Array, rowsOf: (from: number, to: number) => Promise<KvRows | undefined>): Promise<boolean> {
    if (this.writesDisabled || tokens.length === 0) return false;
    const header: KvSnapshotHeader = {
      format: KV_SNAPSHOT_FORMAT,
      modelKey: this.options.modelKey,
      dtype: this.options.dtype,
      geometry: this.options.geometry,
      tokenCount: tokens.length,
      blockPositions: BLOCK_POSITIONS,
    };
    const { bytes: preamble, layout } = encodePreamble(header, tokens);
    if (layout.fileSize > this.options.budgetBytes) {
      this.options.logger.debug(`KV snapshot of ${tokens.length} tokens is larger than the disk budget: not stored`);
      return false;
    }
    const path = join(this.dir, `${tokensHash(tokens)}${KV_SNAPSHOT_EXTENSION}`);
    let file: AtomicFile | undefined;
    try {
      makePrivateFolder(this.dir);
      removeDeadTemporaries(this.dir);
      this.evict(layout.fileSize);
      file = AtomicFile.create(path);
      file.write(preamble);
      for (let index = 0; index < blockCount(header); index++) {
        const from = index * header.blockPositions;
        const rows = await rowsOf(from, from + blockPositions(header, index));
        if (rows === undefined) {
          file.abort();
          return false;
        }
        file.write(encodeBlock(header, rows));
      }
      file.commit();
    } catch (error) {
      file?.abort();
      if (!UNWRITABLE.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      this.writesDisabled = true;
      this.options.logger.warn(
        `KV snapshots are no longer written to ${this.dir} (${(error as Error).message}); the engine serves without them. Free disk space or choose another cache folder, then restart the engine.`,
      );
      return false;
    }
    this.options.logger.info(`KV snapshot of ${tokens.length} tokens stored (${layout.fileSize} bytes)`);
    return true;
  }

  /** Reads the folder again: new files are checked and indexed, vanished ones dropped. */
  private refresh(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir).filter((name) => name.endsWith(KV_SNAPSHOT_EXTENSION));
    } catch {
      this.entries.clear();
      return;
    }
    const present = new Set(names);
    for (const name of this.entries.keys()) if (!present.has(name)) this.entries.delete(name);
    for (const name of names) {
      const path = join(this.dir, name);
      let stamp: string;
      try {
        const stats = statSync(path);
        stamp = `${stats.ino}:${stats.size}:${stats.ctimeMs}`;
      } catch {
        continue;
      }
      if (this.entries.get(name)?.stamp === stamp) continue;
      const layout = readKvSnapshotLayout(path);
      if ('invalid' in layout) this.discard({ path }, layout.invalid);
      else if (layout.header.modelKey !== this.options.modelKey) this.discard({ path }, 'made for another model key');
      else if (layout.header.dtype !== this.options.dtype) this.discard({ path }, 'made for another KV-cache dtype');
      else this.entries.set(name, { path, layout, stamp });
    }
  }

  /** Removes the least recently used snapshots (of every model) until `incoming` more bytes fit the budget. */
  private evict(incoming: number): void {
    const files = kvSnapshotFolders(this.options.root).flatMap((folder) => folder.files);
    let used = files.reduce((sum, file) => sum + file.bytes, 0);
    for (const file of files.sort((a, b) => a.lastUsedMs - b.lastUsedMs)) {
      if (used + incoming <= this.options.budgetBytes) break;
      rmSync(file.path, { force: true });
      used -= file.bytes;
      this.options.logger.debug(`KV snapshot ${file.path} evicted (least recently used)`);
    }
  }

  private discard(entry: Pick<Entry, 'path'>, reason: string): void {
    this.options.logger.warn(`KV snapshot ${entry.path} discarded: ${reason}; its prefix will be computed`);
    rmSync(entry.path, { force: true });
    this.forget(entry);
  }

  private forget(entry: Pick<Entry, 'path'>, reason?: string): void {
    if (reason !== undefined) this.options.logger.debug(`KV snapshot ${entry.path} ${reason}`);
    for (const [name, known] of this.entries) if (known.path === entry.path) this.entries.delete(name);
  }
}

/** Marks a snapshot used now: eviction goes by modification time, which every process sees. */
function touch(path: string): void {
  const now = new Date();
  try {
    utimesSync(path, now, now);
  } catch {
    // Evicted by another process meanwhile: nothing to mark.
  }
}

/** The file name of a snapshot of `tokens`. */
function tokensHash(tokens: Int32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(tokens.buffer, tokens.byteOffset, tokens.byteLength))
    .digest('hex')
    .slice(0, 32);
}
