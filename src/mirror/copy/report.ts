/** The final report of a copy run (data; the CLI and the modules render it). */
export interface ImageResult {
  source: string;
  destination: string;
  /** Digest of what was pushed at the top (the re-written index when platforms were filtered). */
  digest?: string;
  status: 'copied' | 'skipped' | 'failed';
  /** 'all' or the platforms kept (an index filtered to these, re-written with a new digest). */
  platforms: 'all' | string[];
  indexRewritten?: boolean;
  error?: { code: string; message: string; blob?: string };
}

export interface CopyFailure {
  source: string;
  destination: string;
  code: string;
  message: string;
  blob?: string;
}

export interface CopyReport {
  images: { total: number; copied: number; skipped: number; failed: number };
  manifests: { pushed: number; skipped: number };
  blobs: { copied: number; mounted: number; skipped: number; bytesCopied: number; bytesMounted: number; bytesSkipped: number };
  /** Bytes moved over the wire (blob uploads). */
  bytes: number;
  durationMs: number;
  /** bytes / second over the whole run. */
  throughputBps: number;
  retries: number;
  /** 'all platforms of every index' or the filter that was applied (indexes re-written). */
  platforms: { mode: 'all' } | { mode: 'filtered'; requested: string[]; indexesRewritten: number };
  requests: Record<string, number>;
  results: ImageResult[];
  failures: CopyFailure[];
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

/** A few human lines for the terminal. */
export function summarizeReport(r: CopyReport): string[] {
  const lines = [
    `images: ${r.images.total} (${r.images.copied} copied, ${r.images.skipped} already there, ${r.images.failed} failed)`,
    `blobs: ${r.blobs.copied} copied (${formatBytes(r.blobs.bytesCopied)}), ${r.blobs.mounted} mounted, ${r.blobs.skipped} already present; manifests: ${r.manifests.pushed} pushed, ${r.manifests.skipped} present`,
    `time: ${(r.durationMs / 1000).toFixed(2)} s, ${formatBytes(r.throughputBps)}/s${r.retries ? `, ${r.retries} retries` : ''}`,
    r.platforms.mode === 'all'
      ? 'platforms: all platforms of every index (indexes copied unchanged)'
      : `platforms: only ${r.platforms.requested.join(', ')} (${r.platforms.indexesRewritten} index(es) re-written, their digests differ from the source)`,
  ];
  for (const f of r.failures) lines.push(`failed: ${f.source} → ${f.destination}: ${f.message}`);
  return lines;
}
