/** Secrets read from or written to a cluster are registered for redaction (data base64 and decoded, stringData). */
import type { SecretRegistry } from '../core/secrets.js';
import type { K8sObject } from './types.js';

export function registerSecretValues(obj: K8sObject | undefined, secrets: SecretRegistry): void {
  if (!obj || obj.kind !== 'Secret') return;
  const data = obj.data as Record<string, unknown> | undefined;
  for (const v of Object.values(data ?? {})) {
    if (typeof v !== 'string') continue;
    secrets.add(v);
    secrets.add(Buffer.from(v, 'base64').toString('utf8'));
  }
  secrets.addDeep(obj.stringData);
}
