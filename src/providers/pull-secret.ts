/**
 * Pull secret merging, in the original agent's order (dci-agent-reference §3.4), later sources winning:
 * the DCI topic's pull secret → `openshift_secret` → the auths of `disconnected_registry_auths_file` →
 * a `quay.io/openshift-release-dev` entry copied from `quay.io` → (disconnected) `cloud.openshift.com` dropped →
 * `pullsecret_file` last. Pure: the caller reads the files and writes the result (0600).
 */
import { InventoryError } from '../core/errors.js';

export interface PullSecret {
  auths: Record<string, { auth?: string; email?: string; [k: string]: unknown }>;
  [k: string]: unknown;
}

export interface PullSecretSource {
  /** What the value came from, for error messages (file path or variable name). */
  origin: string;
  value: unknown;
}

export interface MergePullSecretsOptions {
  topic?: PullSecretSource;
  openshiftSecret?: PullSecretSource;
  disconnectedAuths?: PullSecretSource;
  pullsecretFile?: PullSecretSource;
  disconnected: boolean;
}

/** Parse one source: a JSON string, or an object; either `{auths: {...}}` or a bare auths map. */
export function parsePullSecret(src: PullSecretSource): PullSecret {
  let v = src.value;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new InventoryError('bad-pull-secret', `${src.origin} is not valid JSON: ${(e as Error).message}`, {
        hint: 'a pull secret is a JSON object {"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}',
        location: { file: src.origin },
      });
    }
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) {
    throw new InventoryError('bad-pull-secret', `${src.origin} must be a JSON object with an "auths" map`, { location: { file: src.origin } });
  }
  const obj = v as Record<string, unknown>;
  const auths = (obj.auths ?? obj) as Record<string, unknown>;
  if (!auths || typeof auths !== 'object' || Array.isArray(auths)) {
    throw new InventoryError('bad-pull-secret', `${src.origin}: "auths" must be a map of registry → credentials`, { location: { file: src.origin } });
  }
  for (const [registry, entry] of Object.entries(auths)) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      throw new InventoryError('bad-pull-secret', `${src.origin}: the entry for "${registry}" must be an object like {"auth": "..."}`, { location: { file: src.origin } });
    }
    const auth = (entry as Record<string, unknown>).auth;
    if (auth !== undefined && (typeof auth !== 'string' || !/^[A-Za-z0-9+/=\s]*$/.test(auth))) {
      throw new InventoryError('bad-pull-secret', `${src.origin}: the "auth" of "${registry}" is not base64`, {
        hint: 'auth is base64("user:password")',
        location: { file: src.origin },
      });
    }
  }
  return { ...(obj.auths ? obj : {}), auths: auths as PullSecret['auths'] };
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = prev && v && typeof prev === 'object' && typeof v === 'object' && !Array.isArray(prev) && !Array.isArray(v) ? deepMerge(prev as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

export function mergePullSecrets(o: MergePullSecretsOptions): PullSecret {
  let merged: PullSecret = { auths: {} };
  for (const src of [o.topic, o.openshiftSecret, o.disconnectedAuths]) {
    if (src && src.value !== undefined && src.value !== null && src.value !== '') merged = deepMerge(merged, parsePullSecret(src)) as PullSecret;
  }
  if (merged.auths['quay.io'] && !merged.auths['quay.io/openshift-release-dev']) {
    merged.auths['quay.io/openshift-release-dev'] = { ...merged.auths['quay.io'] };
  }
  if (o.disconnected) delete merged.auths['cloud.openshift.com'];
  if (o.pullsecretFile && o.pullsecretFile.value !== undefined) merged = deepMerge(merged, parsePullSecret(o.pullsecretFile)) as PullSecret;
  return merged;
}

/** Every credential string in a pull secret (auth blobs, decoded user:password, passwords), for redaction. */
export function pullSecretValues(ps: PullSecret): string[] {
  const out: string[] = [];
  for (const entry of Object.values(ps.auths)) {
    for (const [k, v] of Object.entries(entry)) {
      if (typeof v !== 'string' || k === 'email') continue;
      out.push(v);
      if (k === 'auth') {
        const decoded = Buffer.from(v, 'base64').toString('utf8');
        if (decoded.includes(':')) out.push(decoded, decoded.slice(decoded.indexOf(':') + 1));
      }
    }
  }
  return out;
}
