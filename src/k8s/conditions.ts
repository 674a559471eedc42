/** Predicates on Kubernetes objects for waitFor(): status conditions and phases, with a description for messages. */
import type { K8sObject } from './types.js';

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface K8sPredicate {
  (obj: K8sObject): boolean;
  /** Human text for timeouts: "condition Ready=True". */
  description: string;
}

export function conditionsOf(obj: K8sObject | undefined): Condition[] {
  const c = (obj?.status as { conditions?: unknown } | undefined)?.conditions;
  return Array.isArray(c) ? (c as Condition[]) : [];
}

export function findCondition(obj: K8sObject | undefined, type: string): Condition | undefined {
  return conditionsOf(obj).find((c) => c.type === type);
}

export function predicate(description: string, fn: (obj: K8sObject) => boolean): K8sPredicate {
  return Object.assign((obj: K8sObject) => fn(obj), { description });
}

/** `status.conditions[type=T].status == S` (and reason when given), like kubernetes.core wait_condition. */
export function hasCondition(type: string, status: string | boolean = 'True', reason?: string): K8sPredicate {
  const want = String(status).toLowerCase() === 'true' ? 'True' : String(status).toLowerCase() === 'false' ? 'False' : String(status);
  return predicate(`condition ${type}=${want}${reason ? ` (reason ${reason})` : ''}`, (obj) => {
    const c = findCondition(obj, type);
    return !!c && c.status === want && (reason === undefined || c.reason === reason);
  });
}

/** `status.phase == phase`. */
export function hasPhase(phase: string): K8sPredicate {
  return predicate(`status.phase=${phase}`, (obj) => (obj.status as { phase?: unknown } | undefined)?.phase === phase);
}

/** The value at a dotted path (`status.connectionState.lastObservedState`). */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function fieldEquals(path: string, value: unknown): K8sPredicate {
  return predicate(`${path}=${String(value)}`, (obj) => valueAt(obj, path) === value);
}

/** Short state of an object for timeout messages: phase and conditions. */
export function describeState(obj: K8sObject | undefined): string {
  if (!obj) return 'it does not exist';
  const phase = (obj.status as { phase?: unknown } | undefined)?.phase;
  const conds = conditionsOf(obj).map((c) => `${c.type}=${c.status}${c.reason ? `(${c.reason})` : ''}`);
  const parts = [phase ? `phase ${String(phase)}` : '', conds.length ? `conditions ${conds.join(', ')}` : ''].filter(Boolean);
  return parts.length ? parts.join('; ') : 'no status yet';
}
