/**
 * "Is this release already mirrored?" with manifest HEADs only: every destination tag must exist and carry the
 * digest of its source. A re-run of a complete 190-component mirror is then ~191 HEAD requests.
 */
import { splitPullSpec } from '../../core/image-reference.js';
import type { ReleaseMapping } from './plan.js';

export interface CompletenessResult {
  complete: boolean;
  /** Mappings whose destination is absent or holds another digest. */
  missing: ReleaseMapping[];
  checked: number;
}

/**
 * `headDigest(destination)` returns the digest the destination tag points at, or undefined when absent.
 * `releaseDigest` is the digest the release reference resolved to (its source may be by tag).
 */
export async function checkReleaseMirrored(
  mappings: readonly ReleaseMapping[],
  headDigest: (destination: string) => Promise<string | undefined>,
  options: { releaseDigest?: string; concurrency?: number } = {},
): Promise<CompletenessResult> {
  const { default: pLimit } = await import('p-limit');
  const limit = pLimit(options.concurrency ?? 8);
  const missing: ReleaseMapping[] = [];
  await Promise.all(
    mappings.map((m) =>
      limit(async () => {
        const want = m.component === 'release' ? (options.releaseDigest ?? splitPullSpec(m.source).digest) : splitPullSpec(m.source).digest;
        const got = await headDigest(m.destination);
        if (!got || (want !== undefined && got !== want)) missing.push(m);
      }),
    ),
  );
  const order = new Map(mappings.map((m, i) => [m, i]));
  missing.sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
  return { complete: missing.length === 0, missing, checked: mappings.length };
}
