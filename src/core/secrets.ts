/**
 * The secret registry: every value known to be secret (pull-secret auths, BMC passwords, tokens, DCI secrets,
 * no_log results) is registered here, and every reporter and file writer passes text through `redact`.
 * Base64 forms are registered too, because pull secrets carry `user:password` base64-encoded.
 */
export const REDACTED = '********';

const MIN_SECRET_LENGTH = 4;

export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | null = null;

  /** Register a secret value (and its base64 form). Short values are ignored: redacting "a" would mangle output. */
  add(value: unknown): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    const before = this.values.size;
    this.values.add(value);
    this.values.add(Buffer.from(value, 'utf8').toString('base64'));
    if (value.includes(':')) {
      // user:password pairs: the password alone is secret too.
      const pw = value.slice(value.indexOf(':') + 1);
      if (pw.length >= MIN_SECRET_LENGTH) this.values.add(pw);
    }
    if (this.values.size !== before) this.pattern = null;
  }

  /** Register every string leaf of a structure (e.g. a parsed pull secret). */
  addDeep(value: unknown): void {
    if (typeof value === 'string') this.add(value);
    else if (Array.isArray(value)) value.forEach((v) => this.addDeep(v));
    else if (value && typeof value === 'object') Object.values(value).forEach((v) => this.addDeep(v));
  }

  has(value: string): boolean {
    return this.values.has(value);
  }

  get size(): number {
    return this.values.size;
  }

  redact(text: string): string {
    if (this.values.size === 0 || !text) return text;
    if (!this.pattern) {
      const sorted = [...this.values].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.pattern = new RegExp(sorted.join('|'), 'g');
    }
    return text.replace(this.pattern, REDACTED);
  }

  /** Deep-redact a JSON-like value (strings are redacted, structure kept). */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Variable names whose values are secret wherever they appear (inventory or facts). */
export const SECRET_VARIABLE_PATTERN = /(password|passwd|secret|token|pull_?secret|api_?key|private_?key|ipmi_pass|bmc_pass|credentials?)$/i;

/** The process-wide registry used by the CLI; libraries take a registry as a parameter instead. */
export const globalSecrets = new SecretRegistry();
