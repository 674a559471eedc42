/** Object definitions as users give them (a dict, a list, a multi-document YAML string) → a flat object list. */
import { loadAll } from 'js-yaml';
import { KubernetesError } from '../core/errors.js';
import type { K8sObject } from './types.js';

function flatten(v: unknown, out: unknown[]): void {
  if (v === null || v === undefined) return;
  if (Array.isArray(v)) {
    for (const x of v) flatten(x, out);
    return;
  }
  if (typeof v === 'object' && (v as { kind?: unknown }).kind && String((v as { kind: string }).kind).endsWith('List') && Array.isArray((v as { items?: unknown }).items)) {
    flatten((v as { items: unknown[] }).items, out);
    return;
  }
  out.push(v);
}

/** Parse and check each object has apiVersion, kind and metadata.name; `where` names the source in errors. */
export function parseDefinitions(def: unknown, where: string, defaultNamespace?: string): K8sObject[] {
  const raw: unknown[] = [];
  if (typeof def === 'string') {
    let docs: unknown[];
    try {
      docs = loadAll(def);
    } catch (e) {
      throw new KubernetesError('k8s-definition', `${where} is not valid YAML: ${(e as Error).message}`, { hint: 'fix the YAML syntax' });
    }
    flatten(docs, raw);
  } else flatten(def, raw);
  return raw.map((o, i) => {
    const obj = o as Partial<K8sObject>;
    const at = raw.length > 1 ? `${where} (object #${i + 1})` : where;
    if (!obj || typeof obj !== 'object') throw new KubernetesError('k8s-definition', `${at} is not a mapping`, { hint: 'give a Kubernetes object with apiVersion, kind and metadata' });
    for (const k of ['apiVersion', 'kind'] as const) {
      if (!obj[k]) throw new KubernetesError('k8s-definition', `${at} has no ${k}`, { hint: `add ${k} to the object` });
    }
    if (!obj.metadata?.name) throw new KubernetesError('k8s-definition', `${at} (${obj.kind}) has no metadata.name`, { hint: 'add metadata.name' });
    const copy = structuredClone(obj) as K8sObject;
    if (defaultNamespace && !copy.metadata.namespace) copy.metadata.namespace = defaultNamespace;
    return copy;
  });
}
