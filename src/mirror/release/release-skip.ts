/**
 * "Can the release mirror be skipped?" without downloading anything from the source registry: one HEAD on the
 * source release (unless its digest is already known), one on the mirror's release tag, then the payload is read
 * from the mirror's own copy (local, small top layer) and every destination tag is HEADed.
 */
import type { RegistryClient } from '../registry/client.js';
import { TransportSet } from '../transports.js';
import { checkReleaseMirrored, type CompletenessResult } from './completeness.js';
import { readReleasePayload } from './payload.js';
import { planReleaseMirror, releaseArchFor, type ReleaseMirrorTarget } from './plan.js';
import { splitPullSpec } from '../../core/image-reference.js';

export interface ReleaseSkipCheck extends CompletenessResult {
  /** Why it is not complete, in one sentence (undefined when complete). */
  reason?: string;
}

export async function checkReleaseMirrorComplete(o: {
  client: RegistryClient;
  /** The release as given (tag or digest), without transport. */
  releaseRef: string;
  target: Omit<ReleaseMirrorTarget, 'arch' | 'releaseDigest' | 'version'> & { version?: string; keepManifestList?: boolean; arch?: string };
  /** Known digest of the release (skips the HEAD on the source). */
  releaseDigest?: string;
  concurrency?: number;
}): Promise<ReleaseSkipCheck> {
  const transports = new TransportSet(o.client);
  try {
    const src = transports.source(`docker://${o.releaseRef}`);
    const digest = o.releaseDigest ?? splitPullSpec(o.releaseRef).digest ?? (await src.transport.headManifest(src.tag ?? 'latest'))?.digest;
    if (!digest) return { complete: false, missing: [], checked: 0, reason: `${o.releaseRef} does not exist at the source` };
    // Where the release image sits in the mirror: its own tag there (or --to-release-image).
    const repo = `${o.target.localRegistry.replace(/\/+$/, '')}/${o.target.localRepo.replace(/^\/+|\/+$/g, '')}`;
    const mirrored = transports.source(`docker://${repo}@${digest}`);
    const head = await mirrored.transport.headManifest(digest);
    if (!head) return { complete: false, missing: [], checked: 1, reason: `the release ${digest} is not in ${repo}` };
    const payload = await readReleasePayload(mirrored.transport, digest, `${repo}@${digest}`);
    const arch = o.target.arch ?? releaseArchFor(payload, { keepManifestList: o.target.keepManifestList });
    const plan = planReleaseMirror(o.releaseRef, payload.imageReferences, { ...o.target, arch, releaseDigest: digest });
    const dest = mirrored.transport;
    const result = await checkReleaseMirrored(
      plan,
      async (d) => {
        // Destinations are all in `repo` (or the --to-release-image repository for the release itself).
        const p = splitPullSpec(d);
        const t = p.repository === repo ? dest : transports.source(`docker://${p.repository}:${p.tag ?? 'latest'}`).transport;
        return (await t.headManifest(p.tag ?? p.digest ?? 'latest'))?.digest;
      },
      { releaseDigest: digest, concurrency: o.concurrency ?? 16 },
    );
    return { ...result, checked: result.checked + 1, reason: result.complete ? undefined : `${result.missing.length} of ${plan.length} images are missing or stale in ${repo}` };
  } finally {
    await transports.close();
  }
}
