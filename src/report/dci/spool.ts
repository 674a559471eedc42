/**
 * Uploads that failed are kept on disk (in the run record) and retried at the end of the run, instead of
 * failing the job — the original agent copies them to dci_local_log_dir/<job_id>/. Layout:
 * `<dir>/<jobId>/<n>.bin` (the bytes) + `<n>.json` (name, mime, job and jobstate ids), both 0600 because
 * uploads include kubeconfigs and passwords. The .json is written last, so a half-spooled entry is ignored.
 * Job states that could not be posted (server unreachable) are kept the same way (`kind: 'jobstate'`, no
 * bytes) and posted first, in order, when the spool is flushed. Entries sort in the order they were kept.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileAtomic } from '../../core/atomic-write.js';
import type { DciClient } from './client.js';
import type { JobState } from '../../core/events.js';
import { DciHttpError } from './errors.js';

let sequence = 0;

export interface DciPendingUpload {
  /** A file upload (default) or a job state to post. */
  kind?: 'file' | 'jobstate';
  /** For a kept job state: the state and its comment. */
  status?: JobState;
  comment?: string;
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
  // Time, then a per-process sequence: entries kept in the same millisecond still sort in order.
  const id = `${Date.now().toString(36)}-${String(++sequence).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
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

/** Keep a job state that could not be posted; it is posted (in order) when the spool is flushed. */
export function spoolJobState(dir: string, state: { jobId: string; status: JobState; comment?: string; error: string; maybeStored?: boolean }): Promise<DciSpooledEntry> {
  return spoolUpload(dir, { kind: 'jobstate', jobId: state.jobId, status: state.status, comment: state.comment, name: `job state ${state.status}`, mime: '', error: state.error, maybeStored: state.maybeStored, spooledAt: new Date().toISOString() }, new Uint8Array());
}

export interface DciFlushResult {
  uploaded: number;
  /** Kept job states posted by this flush. */
  jobStates: number;
  remaining: DciSpooledEntry[];
  /** The flush stopped because the server could not be reached. */
  unreachable: boolean;
}

function unreachable(e: unknown): boolean {
  return e instanceof DciHttpError && e.code === 'dci-unreachable';
}

/**
 * Retry every spooled entry, oldest first; successes are removed from the spool, failures stay (and are
 * reported). Stops at the first "server unreachable" (every other entry would wait a whole retry budget for
 * nothing) and at a job state that fails (the later ones must not overtake it).
 */
export async function flushPendingUploads(client: DciClient, dir: string, options: { jobId?: string } = {}): Promise<DciFlushResult> {
  const remaining: DciSpooledEntry[] = [];
  let uploaded = 0;
  let jobStates = 0;
  let stoppedUnreachable = false;
  const entries = await listPendingUploads(dir, options.jobId);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    try {
      if (entry.kind === 'jobstate' && entry.status) {
        const status = entry.status;
        const already = entry.maybeStored === true && (await client.listJobStates(entry.jobId, 20)).some((s) => s.status === status && (s.comment ?? null) === (entry.comment ?? null));
        if (!already) await client.postJobState(entry.jobId, status, entry.comment);
        jobStates++;
      } else {
        const data = await readFile(entry.dataPath);
        await client.uploadFile({ jobId: entry.jobId, jobstateId: entry.jobstateId, name: entry.name, mime: entry.mime, data, checkFirst: entry.maybeStored === true });
        uploaded++;
      }
      await rm(entry.metaPath, { force: true });
      await rm(entry.dataPath, { force: true });
    } catch (e) {
      remaining.push({ ...entry, error: e instanceof Error ? e.message : String(e) });
      stoppedUnreachable = unreachable(e);
      if (stoppedUnreachable || entry.kind === 'jobstate') {
        remaining.push(...entries.slice(i + 1));
        break;
      }
    }
  }
  return { uploaded, jobStates, remaining, unreachable: stoppedUnreachable };
}
