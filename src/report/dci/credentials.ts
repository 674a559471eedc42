/**
 * DCI credentials: `DCI_CLIENT_ID`, `DCI_API_SECRET`, `DCI_CS_URL` from a `dci_credentials.yml` (as
 * dci-pipeline reads it), a shell env file (`dcirc.sh` style, `export KEY=value`), or the environment. An
 * explicit file wins over the environment. No credentials at all means "no DCI reporting" (undefined); a
 * half-configured set is a user error naming what is missing and where it was read.
 */
import { readFile } from 'node:fs/promises';
import { DciApiError } from '../../core/errors.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { splitDciClientId } from './signing.js';

export const DEFAULT_DCI_CS_URL = 'https://api.distributed-ci.io';

export interface DciCredentials {
  /** `remoteci/<uuid>` or `feeder/<uuid>`. */
  clientId: string;
  clientType: string;
  secret: string;
  /** Server base URL without trailing slash (e.g. `https://api.distributed-ci.io`). */
  csUrl: string;
  /** `${csUrl}/api/v1`. */
  apiUrl: string;
  /** Where the values came from, for error messages ("environment", a file path). */
  source: string;
}

export interface LoadDciCredentialsOptions {
  env?: Record<string, string | undefined>;
  /** A shell-style env file (`KEY=value`, `export KEY=value`, `#` comments, quotes). */
  envFile?: string;
  /** A YAML `dci_credentials.yml` with the upper-case keys. */
  credentialsFile?: string;
  /** Registers the secret for redaction. */
  secrets?: SecretRegistry;
}

const KEYS = ['DCI_CLIENT_ID', 'DCI_API_SECRET', 'DCI_CS_URL'] as const;
type Key = (typeof KEYS)[number];

/** Parse `KEY=value` lines of a dcirc-style shell file; only plain assignments are understood (no expansion). */
export function parseDciEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) continue;
    let value = m[2].trim();
    const quoted = /^(["'])(.*?)\1\s*(?:#.*)?$/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    out[m[1]] = value;
  }
  return out;
}

async function readSource(path: string, kind: 'env file' | 'credentials file'): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    throw new DciApiError('dci-credentials-unreadable', `cannot read the DCI ${kind} ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      hint: `check the path given with ${kind === 'env file' ? '--env-file' : 'dci_credentials'}`,
      location: { file: path },
      cause: e,
    });
  }
}

async function readYamlCredentials(path: string): Promise<Record<string, string | undefined>> {
  const { load } = await import('js-yaml');
  let doc: unknown;
  try {
    doc = load(await readSource(path, 'credentials file'));
  } catch (e) {
    if (e instanceof DciApiError) throw e;
    throw new DciApiError('dci-credentials-invalid', `the DCI credentials file ${path} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, {
      hint: 'write it as a YAML mapping with DCI_CLIENT_ID, DCI_API_SECRET and DCI_CS_URL',
      location: { file: path },
    });
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new DciApiError('dci-credentials-invalid', `the DCI credentials file ${path} is not a YAML mapping`, {
      hint: 'write DCI_CLIENT_ID, DCI_API_SECRET and DCI_CS_URL as top-level keys',
      location: { file: path },
    });
  }
  const out: Record<string, string | undefined> = {};
  for (const k of KEYS) {
    const v = (doc as Record<string, unknown>)[k];
    if (v !== undefined && v !== null) out[k] = String(v);
  }
  return out;
}

/**
 * Load the credentials. Returns undefined when none of the three keys is set anywhere (DCI reporting off).
 * Throws DciApiError (exit 2) for missing pieces, a client id that is not `remoteci/<id>` or `feeder/<id>`, or
 * a URL that is not http(s).
 */
export async function loadDciCredentials(options: LoadDciCredentialsOptions = {}): Promise<DciCredentials | undefined> {
  let values: Partial<Record<Key, string | undefined>>;
  let source: string;
  if (options.credentialsFile) {
    values = await readYamlCredentials(options.credentialsFile);
    source = options.credentialsFile;
  } else if (options.envFile) {
    values = parseDciEnvFile(await readSource(options.envFile, 'env file'));
    source = options.envFile;
  } else {
    const env = options.env ?? process.env;
    values = { DCI_CLIENT_ID: env.DCI_CLIENT_ID, DCI_API_SECRET: env.DCI_API_SECRET, DCI_CS_URL: env.DCI_CS_URL };
    source = 'environment';
  }
  const clientIdRaw = values.DCI_CLIENT_ID?.trim() || undefined;
  const secret = values.DCI_API_SECRET?.trim() || undefined;
  const url = values.DCI_CS_URL?.trim() || undefined;
  if (!clientIdRaw && !secret && !(options.credentialsFile || options.envFile)) return undefined;
  if (secret) options.secrets?.add(secret);

  const location = source === 'environment' ? undefined : { file: source };
  const missing = [!clientIdRaw && 'DCI_CLIENT_ID', !secret && 'DCI_API_SECRET'].filter(Boolean);
  if (missing.length) {
    throw new DciApiError('dci-credentials-incomplete', `DCI credentials are incomplete in ${source}: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} missing`, {
      hint: 'set DCI_CLIENT_ID (remoteci/<id>), DCI_API_SECRET and DCI_CS_URL, or remove them all to run without DCI reporting',
      location,
    });
  }
  const split = splitDciClientId(clientIdRaw as string);
  if (!['remoteci', 'feeder'].includes(split.clientType) || !split.clientId) {
    throw new DciApiError('dci-credentials-invalid', `DCI_CLIENT_ID in ${source} must look like remoteci/<uuid> (got client type '${split.clientType}')`, {
      hint: 'copy the client id from the remoteci page of the DCI web UI',
      location,
    });
  }
  const csUrl = (url ?? DEFAULT_DCI_CS_URL).replace(/\/+$/, '');
  let parsed: URL | undefined;
  try {
    parsed = new URL(csUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['http:', 'https:'].includes(parsed.protocol)) {
    throw new DciApiError('dci-credentials-invalid', `DCI_CS_URL in ${source} is not an http(s) URL: ${csUrl}`, {
      hint: `use the control server's base URL, e.g. ${DEFAULT_DCI_CS_URL}`,
      location,
    });
  }
  return {
    clientId: `${split.clientType}/${split.clientId}`,
    clientType: split.clientType,
    secret: secret as string,
    csUrl,
    apiUrl: `${csUrl}/api/v1`,
    source,
  };
}
