/**
 * On an existing cluster (deploy-operators, app-agent style use) use the kind the cluster already uses, so
 * that we never mix kinds on 4.13/4.14 where early z-streams' MCO refused ICSP together with IDMS/ITMS.
 */
import { compareMinor } from './version.js';

export const IDMS_CRD = 'imagedigestmirrorsets.config.openshift.io';

export interface ClusterMirrorState {
  /** Names of the CustomResourceDefinitions present. */
  crds: Iterable<string>;
  /** Kinds of the mirror-set objects present (one item per object, e.g. ['ImageContentSourcePolicy', ...]). */
  objects: Iterable<string>;
  /** The cluster version, when known. */
  version?: string;
}

export interface ClusterKindDecision {
  kind: 'idms' | 'icsp';
  reason: string;
}

export function detectClusterMirrorSetKind(state: ClusterMirrorState): ClusterKindDecision {
  const crds = new Set(state.crds);
  const counts = { ImageDigestMirrorSet: 0, ImageTagMirrorSet: 0, ImageContentSourcePolicy: 0 } as Record<string, number>;
  for (const k of state.objects) counts[k] = (counts[k] ?? 0) + 1;
  const hasCrd = crds.has(IDMS_CRD);
  const idms = counts.ImageDigestMirrorSet + counts.ImageTagMirrorSet;
  const icsp = counts.ImageContentSourcePolicy;
  const early = state.version !== undefined && compareMinor(state.version, '4.13') >= 0 && compareMinor(state.version, '4.15') < 0;
  if (!hasCrd) return { kind: 'icsp', reason: `the ${IDMS_CRD} CRD does not exist: the cluster only knows ImageContentSourcePolicy` };
  if (idms > 0 && icsp > 0) {
    return { kind: 'idms', reason: `the cluster already has ${idms} IDMS/ITMS and ${icsp} ICSP objects (its MCO accepts both): adding ImageDigestMirrorSet` };
  }
  if (idms > 0) return { kind: 'idms', reason: `the ${IDMS_CRD} CRD exists and ${idms} IDMS/ITMS objects exist` };
  if (icsp > 0) {
    return {
      kind: 'icsp',
      reason: `only ImageContentSourcePolicy objects exist (${icsp})${early ? `; on ${state.version} adding IDMS next to them could stop MCO (early 4.13/4.14 z-streams refuse mixed kinds)` : ': keeping the kind the cluster uses'}`,
    };
  }
  return { kind: 'idms', reason: `the ${IDMS_CRD} CRD exists and no mirror-set objects exist yet` };
}
