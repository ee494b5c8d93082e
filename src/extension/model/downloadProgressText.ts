import type { ModelDownloadProgressParams } from '../../shared/protocol';

/** "37% · 1.9 GB of 5.2 GB · 12.3 MB/s · 4 min left": the message of the download notification. */
export function downloadProgressMessage(
  progress: Pick<ModelDownloadProgressParams, 'bytesDone' | 'bytesTotal' | 'bytesPerSecond' | 'etaSeconds'>,
): string {
  const { bytesDone, bytesTotal, bytesPerSecond, etaSeconds } = progress;
  const parts = [`${downloadPercent(progress)}%`, `${formatBytes(bytesDone)} of ${formatBytes(bytesTotal)}`];
  if (bytesPerSecond > 0) parts.push(`${formatBytes(bytesPerSecond)}/s`);
  if (etaSeconds !== null && bytesDone < bytesTotal) parts.push(`${formatDuration(etaSeconds)} left`);
  return parts.join(' · ');
}

/** Whole percent, never 100 before the last byte. */
export function downloadPercent({
  bytesDone,
  bytesTotal,
}: Pick<ModelDownloadProgressParams, 'bytesDone' | 'bytesTotal'>): number {
  if (bytesTotal <= 0 || bytesDone >= bytesTotal) return 100;
  return Math.min(99, Math.floor((bytesDone / bytesTotal) * 100));
}

/** Decimal units, as the Hub and file managers show download sizes. */
export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(1)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${Math.round(bytes / 1e3)} kB`;
  return `${Math.round(bytes)} B`;
}

export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
