/**
 * A file being downloaded: its bytes so far (`.part`) and a sidecar that says what they are the start of.
 * The sidecar is what makes a resume safe after a restart: a part is continued only when the Hub still
 * lists the same size and hash for the path, and still gives the same etag for it.
 */
import { readFileSync } from 'node:fs';
import { open, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../base/atomicFile';
import type { RemoteFile } from './huggingFaceClient';
import type { FileLocations } from './downloadLayout';

export interface PartSidecar {
  size: number;
  sha256?: string;
  gitBlobId?: string;
  etag?: string;
}

/** Where received bytes go. Injectable so tests can fail a write the way a full disk does. */
export interface PartWriter {
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export type OpenPartWriter = (path: string, append: boolean) => Promise<PartWriter>;

export const openPartFile: OpenPartWriter = async (path, append) => {
  const handle = await open(path, append ? 'a' : 'w');
  return {
    async write(chunk) {
      for (let done = 0; done < chunk.length;)
        done += (await handle.write(chunk, done, chunk.length - done)).bytesWritten;
    },
    close: () => handle.close(),
  };
};

export function readSidecar(path: string): PartSidecar | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PartSidecar;
  } catch {
    return undefined;
  }
}

export function writeSidecar(path: string, file: RemoteFile, etag: string | undefined): void {
  const sidecar: PartSidecar = { size: file.size, sha256: file.sha256, gitBlobId: file.gitBlobId, etag };
  writeFileAtomic(path, JSON.stringify(sidecar));
}

/** Whether the sidecar describes the same content as the Hub's listing now. */
export function sidecarDescribes(sidecar: PartSidecar | undefined, file: RemoteFile): sidecar is PartSidecar {
  return (
    sidecar !== undefined &&
    sidecar.size === file.size &&
    sidecar.sha256 === file.sha256 &&
    sidecar.gitBlobId === file.gitBlobId
  );
}

/** Size of a file, or undefined when there is none. */
export async function sizeOnDisk(path: string): Promise<number | undefined> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Bytes of a part worth resuming: its length when the sidecar still describes the listed file and the part
 * is no longer than it; otherwise the part is dropped and 0 returned.
 */
export async function resumablePartBytes(file: RemoteFile, at: FileLocations): Promise<number> {
  const bytes = await sizeOnDisk(at.part);
  if (bytes !== undefined && bytes <= file.size && sidecarDescribes(readSidecar(at.sidecar), file)) return bytes;
  await discardPart(at);
  return 0;
}

export async function discardPart(at: FileLocations): Promise<void> {
  await rm(at.part, { force: true });
  await rm(at.sidecar, { force: true });
}
