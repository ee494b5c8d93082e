/**
 * Child process for the lock race test: takes the download lock of a folder and prints "acquired", holding it
 * until its stdin closes, or prints "busy" when another process holds it.
 * Usage: node --import tsx lockHolderChild.ts <dir>
 */
import { DownloadError } from '../../../src/engine/library/downloadError';
import { lockDownloadFolder } from '../../../src/engine/library/downloadLock';

lockDownloadFolder(process.argv[2]).then(
  (release) => {
    process.stdout.write('acquired\n');
    process.stdin.on('end', () => void release()).resume();
  },
  (error: unknown) => {
    process.stdout.write(error instanceof DownloadError && error.failure === 'busy' ? 'busy\n' : `${String(error)}\n`);
  },
);
