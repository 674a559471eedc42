/**
 * Uploads that failed are kept on disk (in the run record) and retried at the end of the run, instead of
 * failing the job — the original agent copies them to dci_local_log_dir/<job_id>/. Layout:
 * `<dir>/<jobId>/<n>.bin` (the bytes) + `<n>.json` (name, mime, job and jobstate ids), both 0600 because
 * uploads include kubeconfigs and passwords. The .json is written last, so a half-spooled entry is ignored.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { DciClient } from './client.js';

export interface DciPendingUpload {
  jobId: string;
  jobstateId?: string;
  name: string;
  mime: string;
  /** Why the upload failed (short, no payload). */
  error: string;
  /** The failed attempt may have been stored (5xx, reset, timeout): check before re-sending. */
  maybeStored?: boolean;
  spooledAt: string;
}

export interface DciSpooledEntry extends DciPendingUpload {
  dataPath: string;
  metaPath: string;
}

export async function spoolUpload(dir: string, upload: DciPendingUpload, data: Uint8Array): Promise<DciSpooledEntry> {
  const jobDir = join(dir, upload.jobId);
  const id = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const dataPath = join(jobDir, `${id}.bin`);
  const metaPath = join(jobDir, `${id}.json`);
  await writeFileAtomic(dataPath, data, { mode: 0o600 });
  await writeFileAtomic(metaPath, JSON.stringify(upload, null, 2) + '\n', { mode: 0o600 });
  return { ...upload, dataPath, metaPath };
}

/** Spooled uploads, oldest first (optionally only one job's). */
export async function listPendingUploads(dir: string, jobId?: string): Promise<DciSpooledEntry[]> {
  let jobs: string[];
  try {
    jobs = jobId ? [jobId] : await readdir(dir);
  } catch {
    return [];
  }
  const out: DciSpooledEntry[] = [];
  for (const j of jobs) {
    let names: string[];
    try {
      names = (await readdir(join(dir, j))).filter((n) => n.endsWith('.json')).sort();
    } catch {
      continue;
    }
    for (const n of names) {
      const metaPath = join(dir, j, n);
      try {
        const meta = JSON.parse(await readFile(metaPath, 'utf8')) as DciPendingUpload;
        out.push({ ...meta, metaPath, dataPath: metaPath.replace(/\.json$/, '.bin') });
      } catch {
        // A torn or foreign file: leave it for a human.
      }
    }
  }
  return out;
}

export interface DciFlushResult {
  uploaded: number;
  remaining: DciSpooledEntry[];
}

/** Retry every spooled upload; successes are removed from the spool, failures stay (and are reported). */
export async function flushPendingUploads(client: DciClient, dir: string, options: { jobId?: string } = {}): Promise<DciFlushResult> {
  const remaining: DciSpooledEntry[] = [];
  let uploaded = 0;
  for (const entry of await listPendingUploads(dir, options.jobId)) {
    try {
      const data = await readFile(entry.dataPath);
      await client.uploadFile({ jobId: entry.jobId, jobstateId: entry.jobstateId, name: entry.name, mime: entry.mime, data, checkFirst: entry.maybeStored === true });
      await rm(entry.metaPath, { force: true });
      await rm(entry.dataPath, { force: true });
      uploaded++;
    } catch (e) {
      remaining.push({ ...entry, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return { uploaded, remaining };
}
