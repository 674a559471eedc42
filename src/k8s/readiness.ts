/**
 * What "wait: yes" without a wait_condition means, like kubernetes.core: Deployments/StatefulSets/DaemonSets
 * fully rolled out, Pods Ready, Jobs complete; any other kind just has to exist.
 */
import { findCondition, predicate, type K8sPredicate } from './conditions.js';
import type { K8sObject } from './types.js';

type Status = Record<string, number | undefined>;

function st(o: K8sObject): Status {
  return (o.status ?? {}) as Status;
}

function observed(o: K8sObject): boolean {
  const gen = o.metadata.generation as number | undefined;
  const obs = st(o).observedGeneration;
  return gen === undefined || obs === undefined || obs >= gen;
}

export function defaultReadiness(kind: string): K8sPredicate {
  switch (kind) {
    case 'Deployment':
      return predicate('rolled out (all replicas updated and available)', (o) => {
        const want = ((o.spec as { replicas?: number } | undefined)?.replicas ?? 1) as number;
        const s = st(o);
        return observed(o) && (s.updatedReplicas ?? 0) >= want && (s.availableReplicas ?? 0) >= want && (s.replicas ?? 0) <= want;
      });
    case 'StatefulSet':
      return predicate('rolled out (all replicas ready)', (o) => {
        const want = ((o.spec as { replicas?: number } | undefined)?.replicas ?? 1) as number;
        return observed(o) && (st(o).readyReplicas ?? 0) >= want;
      });
    case 'DaemonSet':
      return predicate('rolled out (ready on every scheduled node)', (o) => {
        const s = st(o);
        return observed(o) && s.desiredNumberScheduled !== undefined && (s.numberReady ?? 0) >= s.desiredNumberScheduled && (s.updatedNumberScheduled ?? 0) >= s.desiredNumberScheduled;
      });
    case 'Pod':
      return predicate('condition Ready=True', (o) => findCondition(o, 'Ready')?.status === 'True');
    case 'Job':
      return predicate('condition Complete=True', (o) => {
        if (findCondition(o, 'Failed')?.status === 'True') throw new Error(`Job ${o.metadata.name} failed: ${findCondition(o, 'Failed')?.message ?? ''}`);
        return findCondition(o, 'Complete')?.status === 'True';
      });
    default:
      return predicate('existing', () => true);
  }
}
