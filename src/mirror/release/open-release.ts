/**
 * Location-string entry points (`docker://…`, `oci:DIR:tag`, `oci-archive:FILE:tag`) over the mirror library's
 * transports, for callers that hold a RegistryClient (the mirror-images stage, the CLI).
 */
import type { RegistryClient } from '../registry/client.js';
import { TransportSet } from '../transports.js';
import { readReleasePayload, type ReadReleaseOptions, type ReleasePayload } from './payload.js';

export interface OpenOptions {
  /** Share the caller's transports (layouts, archives, repositories); otherwise one is made from `client`. */
  transports?: TransportSet;
  client?: RegistryClient;
}

export function transportsFor(o: OpenOptions): { transports: TransportSet; owned: boolean } {
  if (o.transports) return { transports: o.transports, owned: false };
  if (!o.client) throw new TypeError('give transports or a registry client');
  return { transports: new TransportSet(o.client), owned: true };
}

/** Read a release image given as a location, e.g. `docker://quay.io/openshift-release-dev/ocp-release:4.16.3-x86_64`. */
export async function readReleaseImage(location: string, options: OpenOptions & ReadReleaseOptions): Promise<ReleasePayload> {
  const { transports, owned } = transportsFor(options);
  try {
    const s = transports.source(location);
    return await readReleasePayload(s.transport, s.digest ?? s.tag ?? 'latest', location.replace(/^docker:\/\//, ''), options);
  } finally {
    if (owned) await transports.close();
  }
}
