import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDciCredentials, parseDciEnvFile } from '../../../src/report/dci/index.js';
import { SecretRegistry } from '../../../src/core/secrets.js';

const ID = 'remoteci/5bb5c0ed-78f6-4e99-aa02-918c4677a97f';
const SECRET = '9i9U20riVIBhTeCcXzhyqcVJHHIbWY4veo2Bfdn14NgvCaKw2JJYTm0tIHpGyk8w';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dci-creds-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadDciCredentials', () => {
  it('returns undefined when nothing is configured (local-only runs)', async () => {
    expect(await loadDciCredentials({ env: {} })).toBeUndefined();
  });

  it('reads the environment, strips the trailing slash, appends /api/v1 and registers the secret', async () => {
    const secrets = new SecretRegistry();
    const c = await loadDciCredentials({ env: { DCI_CLIENT_ID: ID, DCI_API_SECRET: SECRET, DCI_CS_URL: 'https://dci.example.com/' }, secrets });
    expect(c).toMatchObject({ clientId: ID, clientType: 'remoteci', csUrl: 'https://dci.example.com', apiUrl: 'https://dci.example.com/api/v1', source: 'environment' });
    expect(secrets.redact(`token ${SECRET}`)).toBe('token ********');
  });

  it('defaults the server and a bare id to remoteci', async () => {
    const c = await loadDciCredentials({ env: { DCI_CLIENT_ID: '5bb5c0ed-78f6-4e99-aa02-918c4677a97f', DCI_API_SECRET: SECRET } });
    expect(c).toMatchObject({ clientId: ID, apiUrl: 'https://api.distributed-ci.io/api/v1' });
  });

  it('reads a dcirc.sh-style env file (export, quotes, comments), which wins over the environment', async () => {
    const f = join(dir, 'dcirc.sh');
    await writeFile(f, `# DCI\nexport DCI_CLIENT_ID=${ID}\nexport DCI_API_SECRET="${SECRET}"\nDCI_CS_URL='http://127.0.0.1:5000/' # local\n`);
    const c = await loadDciCredentials({ envFile: f, env: { DCI_CLIENT_ID: 'remoteci/other', DCI_API_SECRET: 'zzzz' } });
    expect(c).toMatchObject({ clientId: ID, secret: SECRET, csUrl: 'http://127.0.0.1:5000', source: f });
    expect(parseDciEnvFile('A=1\nexport B = 2\nC="x # y"')).toEqual({ A: '1', C: 'x # y' });
  });

  it('reads dci_credentials.yml', async () => {
    const f = join(dir, 'dci_credentials.yml');
    await writeFile(f, `---\nDCI_CLIENT_ID: ${ID}\nDCI_API_SECRET: ${SECRET}\nDCI_CS_URL: https://api.distributed-ci.io/\n`);
    expect(await loadDciCredentials({ credentialsFile: f })).toMatchObject({ clientId: ID, secret: SECRET, csUrl: 'https://api.distributed-ci.io' });
  });

  it('half-configured, malformed or unreadable credentials are exit-2 errors naming the source', async () => {
    await expect(loadDciCredentials({ env: { DCI_CLIENT_ID: ID } })).rejects.toMatchObject({ message: 'DCI credentials are incomplete in environment: DCI_API_SECRET is missing', exitCode: 2 });
    await expect(loadDciCredentials({ env: { DCI_CLIENT_ID: 'user/abc', DCI_API_SECRET: SECRET } })).rejects.toThrow(/must look like remoteci\/<uuid>/);
    await expect(loadDciCredentials({ env: { DCI_CLIENT_ID: ID, DCI_API_SECRET: SECRET, DCI_CS_URL: 'ftp://x' } })).rejects.toThrow(/not an http\(s\) URL/);
    const bad = join(dir, 'bad.yml');
    await writeFile(bad, '- a\n- b\n');
    await expect(loadDciCredentials({ credentialsFile: bad })).rejects.toThrow(/is not a YAML mapping/);
    const empty = join(dir, 'empty.sh');
    await writeFile(empty, '# nothing\n');
    await expect(loadDciCredentials({ envFile: empty })).rejects.toThrow(/incomplete in .*empty.sh: DCI_CLIENT_ID and DCI_API_SECRET are missing/);
    await expect(loadDciCredentials({ envFile: join(dir, 'missing.sh') })).rejects.toThrow(/cannot read the DCI env file .*missing.sh: ENOENT/);
    const locked = join(dir, 'locked.yml');
    await writeFile(locked, 'x: 1\n');
    await chmod(locked, 0o000);
    if (process.getuid?.() !== 0) await expect(loadDciCredentials({ credentialsFile: locked })).rejects.toThrow(/EACCES/);
  });
});
