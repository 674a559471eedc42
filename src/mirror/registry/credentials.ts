/**
 * Registry credentials from a pull secret, a containers `auth.json` or a docker `config.json` (all the same
 * `{"auths": {KEY: {"auth": base64(user:pass)}}}` shape). KEY is a host or a host/path prefix; lookup is
 * containers/image's: the most specific key wins — `host/ns/repo`, then `host/ns`, then `host`. Keys written as
 * URLs (`https://index.docker.io/v1/`) are normalised. credHelpers are not supported.
 */
import { readFile } from 'node:fs/promises';
import { RegistryError } from '../../core/errors.js';
import { globalSecrets, type SecretRegistry } from '../../core/secrets.js';
import { DOCKER_HUB } from '../../core/image-reference.js';

export interface Credential {
  username: string;
  password: string;
  /** An OAuth2 refresh token (docker `identitytoken`), used as the token request's refresh_token. */
  identityToken?: string;
}

export type AuthEntry = { auth?: string; username?: string; password?: string; identitytoken?: string };
export type AuthEntries = Record<string, AuthEntry>;

export function normalizeAuthKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  k = k.replace(/\/+$/, '');
  if (/^(index|registry-1)\.docker\.io(\/v[12])?$/i.test(k) || /^docker\.io\/v[12]$/i.test(k)) return DOCKER_HUB;
  const slash = k.indexOf('/');
  const host = (slash < 0 ? k : k.slice(0, slash)).toLowerCase();
  return slash < 0 ? host : host + k.slice(slash);
}

function decodeEntry(key: string, e: AuthEntry, source: string): Credential | undefined {
  if (e.auth) {
    const text = Buffer.from(e.auth, 'base64').toString('utf8');
    const i = text.indexOf(':');
    if (i < 0) throw new RegistryError('auth-file-invalid', `${source}: the "auth" value for ${key} does not decode to user:password`, { hint: 'auth is base64("user:password")', location: { file: source } });
    return { username: text.slice(0, i), password: text.slice(i + 1), identityToken: e.identitytoken };
  }
  if (e.username !== undefined && e.password !== undefined) return { username: e.username, password: e.password, identityToken: e.identitytoken };
  if (e.identitytoken) return { username: '<token>', password: '', identityToken: e.identitytoken };
  return undefined;
}

export class CredentialStore {
  private readonly entries = new Map<string, Credential>();

  constructor(private readonly secrets: SecretRegistry = globalSecrets) {}

  /** Add the `auths` of one file (later additions do not override earlier ones, like a search path). */
  addEntries(auths: AuthEntries, source: string): void {
    for (const [key, e] of Object.entries(auths)) {
      const cred = decodeEntry(key, e ?? {}, source);
      if (!cred) continue;
      this.secrets.add(cred.password);
      if (e.auth) this.secrets.add(e.auth);
      if (cred.identityToken) this.secrets.add(cred.identityToken);
      const k = normalizeAuthKey(key);
      if (!this.entries.has(k)) this.entries.set(k, cred);
    }
  }

  async addFile(path: string): Promise<void> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      throw new RegistryError('auth-file-missing', `cannot read registry auth file ${path}: ${(e as Error).message}`, { hint: 'pass a pull secret, auth.json or docker config.json with --auth', location: { file: path }, cause: e });
    }
    let json: { auths?: AuthEntries };
    try {
      json = JSON.parse(text) as { auths?: AuthEntries };
    } catch (e) {
      throw new RegistryError('auth-file-invalid', `registry auth file ${path} is not valid JSON`, { hint: 'it should look like {"auths": {"registry.example.com": {"auth": "base64(user:pass)"}}}', location: { file: path }, cause: e });
    }
    if (!json || typeof json !== 'object' || (json.auths !== undefined && typeof json.auths !== 'object')) {
      throw new RegistryError('auth-file-invalid', `registry auth file ${path} has no "auths" object`, { location: { file: path } });
    }
    this.addEntries(json.auths ?? {}, path);
  }

  /** Credential for a repository: the longest matching key among host/path prefixes, then the host. */
  lookup(registry: string, repository?: string): Credential | undefined {
    const host = normalizeAuthKey(registry);
    if (repository) {
      const parts = repository.split('/');
      for (let n = parts.length; n > 0; n--) {
        const c = this.entries.get(`${host}/${parts.slice(0, n).join('/')}`);
        if (c) return c;
      }
    }
    return this.entries.get(host);
  }

  get size(): number {
    return this.entries.size;
  }
}
