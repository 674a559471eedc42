/**
 * Real `docker-registry` (distribution 2.8) processes for integration tests, on 127.0.0.1 with random ports and
 * storage in a temp dir. Three kinds:
 *  - `plain`: HTTP, no auth;
 *  - `tls-htpasswd`: HTTPS with a server certificate from a CA generated here with openssl, basic auth from an
 *    htpasswd file (bcryptjs, cost 4: distribution checks the hash on every request, cost 12 costs 0.25 s each);
 *  - `token`: HTTP with `auth: token`, backed by a small in-process token issuer that signs RS256 JWTs with a key
 *    whose certificate chain (x5c) ends at a root the registry trusts.
 * Every process is a direct child (so SIGTERM is observed at once, no zombie wait) and is killed on stop() or at
 * process exit.
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtemp, mkdir, writeFile, readFile, rm } from 'node:fs/promises';
import { createPrivateKey, createSign, randomBytes, X509Certificate } from 'node:crypto';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export type RegistryKind = 'plain' | 'tls-htpasswd' | 'token';

export interface TokenIssuer {
  url: string;
  realm: string;
  service: string;
  /** Every token request: the scopes asked for and whether credentials were given. */
  requests: Array<{ scopes: string[]; user?: string }>;
  close(): Promise<void>;
}

export interface TestRegistry {
  kind: RegistryKind;
  /** host:port, e.g. 127.0.0.1:41234 (the registry part of image references). */
  host: string;
  port: number;
  /** http://host or https://host */
  url: string;
  dir: string;
  dataDir: string;
  logFile: string;
  /** CA certificate (PEM file) for `tls-htpasswd`. */
  caFile?: string;
  username?: string;
  password?: string;
  /** A docker config.json / auth.json with this registry's credentials (for `tls-htpasswd` and `token`). */
  authFile?: string;
  tokenIssuer?: TokenIssuer;
  /** Access-log lines "METHOD path status" (only when started with accessLog: true). */
  requests(): Promise<Array<{ method: string; path: string; status: number }>>;
  stop(): Promise<void>;
  /** SIGKILL the registry process (storage kept) and start it again on the same port. */
  restart(): Promise<void>;
  /** CPU seconds (user + system) the running registry process has used so far (Linux /proc); for benches. */
  cpuSeconds(): Promise<number>;
  /**
   * A Go CPU profile of the registry over the next `seconds` (pprof protobuf, read with
   * `go tool pprof -top /usr/bin/docker-registry FILE`); only for a registry started with `debug: true`.
   */
  cpuProfile(seconds: number): Promise<Buffer>;
}

export interface StartRegistryOptions {
  kind?: RegistryKind;
  accessLog?: boolean;
  username?: string;
  password?: string;
  /** Serve distribution's debug endpoints (Go pprof) on another 127.0.0.1 port, for `cpuProfile()` (benches). */
  debug?: boolean;
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of running) c.kill('SIGKILL');
  });
}

/** A free TCP port on 127.0.0.1 (tiny race with other processes; start() retries on "address already in use"). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileP('openssl', args, { cwd });
}

export interface TestPki {
  dir: string;
  caFile: string;
  caKey: string;
  certFile: string;
  keyFile: string;
}

/** A private CA and a server certificate for 127.0.0.1/localhost, made with openssl. */
export async function generatePki(dir: string): Promise<TestPki> {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '30', '-subj', '/CN=dci-test-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost'], dir);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  await openssl(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '30', '-extfile', 'server.ext'], dir);
  return { dir, caFile: join(dir, 'ca.crt'), caKey: join(dir, 'ca.key'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}

/** A token-signing CA (trusted by the registry) and a leaf signing key/cert, for the `token` kind. */
async function generateTokenPki(dir: string): Promise<{ rootFile: string; leafKeyPem: string; leafCertDer: Buffer }> {
  await mkdir(dir, { recursive: true });
  await openssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'root.key', '-out', 'root.crt', '-days', '30', '-subj', '/CN=dci-token-root',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'], dir);
  await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'signer.key', '-out', 'signer.csr', '-subj', '/CN=dci-token-signer'], dir);
  await writeFile(join(dir, 'signer.ext'), 'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n');
  await openssl(['x509', '-req', '-in', 'signer.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-out', 'signer.crt', '-days', '30', '-extfile', 'signer.ext'], dir);
  const leafCertDer = Buffer.from(new X509Certificate(await readFile(join(dir, 'signer.crt'))).raw);
  return { rootFile: join(dir, 'root.crt'), leafKeyPem: await readFile(join(dir, 'signer.key'), 'utf8'), leafCertDer };
}

function b64url(b: Buffer | string): string {
  return Buffer.from(b).toString('base64url');
}

/** The in-process token issuer (docker token auth spec): GET /token?service=&scope=... with optional basic auth. */
async function startTokenIssuer(keyPem: string, certDer: Buffer, service: string, issuer: string, user: string, pass: string): Promise<TokenIssuer> {
  const key = createPrivateKey(keyPem);
  const requests: TokenIssuer['requests'] = [];
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scopes = url.searchParams.getAll('scope');
    let authedUser: string | undefined;
    const authz = req.headers.authorization;
    if (authz?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(authz.slice(6), 'base64').toString().split(':');
      if (u !== user || p.join(':') !== pass) {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        requests.push({ scopes, user: `!${u}` });
        return;
      }
      authedUser = u;
    }
    requests.push({ scopes, user: authedUser });
    // Anonymous callers get nothing; the test user gets every action it asks for.
    const access = authedUser
      ? scopes.flatMap((s) => {
          const [type, ...rest] = s.split(':');
          const actions = rest.pop() ?? '';
          return [{ type, name: rest.join(':'), actions: actions.split(',').filter(Boolean) }];
        })
      : [];
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', x5c: [certDer.toString('base64')] };
    const claims = { iss: issuer, sub: authedUser ?? '', aud: service, exp: now + 300, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access };
    const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const sig = createSign('RSA-SHA256').update(signingInput).sign(key);
    const token = `${signingInput}.${b64url(sig)}`;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  };
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    realm: `${url}/token`,
    service,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

async function waitReady(url: string, caFile: string | undefined, child: ChildProcess, logFile: string): Promise<void> {
  const { Agent, request } = await import('undici');
  const dispatcher = new Agent(caFile ? { connect: { ca: await readFile(caFile) } } : {});
  try {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) {
        const log = await readFile(logFile, 'utf8').catch(() => '');
        throw new Error(`docker-registry exited with ${child.exitCode}: ${log.slice(-2000)}`);
      }
      try {
        const r = await request(`${url}/v2/`, { dispatcher });
        await r.body.dump();
        if (r.statusCode === 200 || r.statusCode === 401) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`docker-registry not ready at ${url} after 10 s`);
      await new Promise((r) => setTimeout(r, 30));
    }
  } finally {
    await dispatcher.close();
  }
}

function authFileJson(host: string, user: string, pass: string): string {
  return JSON.stringify({ auths: { [host]: { auth: Buffer.from(`${user}:${pass}`).toString('base64') } } }, null, 2);
}

/** Start one registry; call stop() in afterAll (processes are also killed at exit). */
export async function startRegistry(options: StartRegistryOptions = {}): Promise<TestRegistry> {
  installExitHook();
  const kind = options.kind ?? 'plain';
  const dir = await mkdtemp(join(tmpdir(), `dci-reg-${kind}-`));
  const dataDir = join(dir, 'data');
  await mkdir(dataDir, { recursive: true });
  const logFile = join(dir, 'registry.log');
  const username = options.username ?? 'testuser';
  const password = options.password ?? `pw-${randomBytes(6).toString('hex')}`;
  let pki: TestPki | undefined;
  let tokenIssuer: TokenIssuer | undefined;
  let authYaml = '';
  let tlsYaml = '';
  if (kind === 'tls-htpasswd') {
    pki = await generatePki(join(dir, 'pki'));
    const { hashSync } = await import('bcryptjs');
    await writeFile(join(dir, 'htpasswd'), `${username}:${hashSync(password, 4)}\n`);
    tlsYaml = `  tls:\n    certificate: ${pki.certFile}\n    key: ${pki.keyFile}\n`;
    authYaml = `auth:\n  htpasswd:\n    realm: dci-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (kind === 'token') {
    const t = await generateTokenPki(join(dir, 'token-pki'));
    tokenIssuer = await startTokenIssuer(t.leafKeyPem, t.leafCertDer, 'dci-test-registry', 'dci-test-issuer', username, password);
    authYaml = `auth:\n  token:\n    realm: ${tokenIssuer.realm}\n    service: dci-test-registry\n    issuer: dci-test-issuer\n    rootcertbundle: ${t.rootFile}\n`;
  }
  const scheme = kind === 'tls-htpasswd' ? 'https' : 'http';

  let port = 0;
  let child: ChildProcess | undefined;
  const configFile = join(dir, 'config.yml');
  let debugPort = 0;
  const launch = async (): Promise<void> => {
    const config = `version: 0.1
log:
  level: warn
  accesslog:
    disabled: ${options.accessLog ? 'false' : 'true'}
storage:
  filesystem:
    rootdirectory: ${dataDir}
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
http:
  addr: 127.0.0.1:${port}
  secret: ${randomBytes(16).toString('hex')}
${debugPort ? `  debug:\n    addr: 127.0.0.1:${debugPort}\n` : ''}${tlsYaml}${authYaml}`;
    await writeFile(configFile, config);
    const { openSync, closeSync } = await import('node:fs');
    const fd = openSync(logFile, 'a');
    child = spawn('docker-registry', ['serve', configFile], { stdio: ['ignore', fd, fd] });
    closeSync(fd);
    running.add(child);
    const c = child;
    c.on('exit', () => running.delete(c));
    await waitReady(`${scheme}://127.0.0.1:${port}`, pki?.caFile, c, logFile);
  };
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    if (options.debug) debugPort = await freePort();
    try {
      await launch();
      break;
    } catch (e) {
      child?.kill('SIGKILL');
      if (attempt >= 3) throw e;
    }
  }
  const host = `127.0.0.1:${port}`;
  let authFile: string | undefined;
  if (kind !== 'plain') {
    authFile = join(dir, 'auth.json');
    await writeFile(authFile, authFileJson(host, username, password), { mode: 0o600 });
  }

  const killChild = async (signal: NodeJS.Signals): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill(signal);
    const timer = setTimeout(() => c.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  return {
    kind,
    host,
    port,
    url: `${scheme}://${host}`,
    dir,
    dataDir,
    logFile,
    caFile: pki?.caFile,
    username: kind === 'plain' ? undefined : username,
    password: kind === 'plain' ? undefined : password,
    authFile,
    tokenIssuer,
    async requests() {
      const text = await readFile(logFile, 'utf8').catch(() => '');
      const out: Array<{ method: string; path: string; status: number }> = [];
      for (const m of text.matchAll(/"([A-Z]+) (\S+) HTTP\/[\d.]+" (\d{3})/g)) out.push({ method: m[1], path: m[2], status: Number(m[3]) });
      return out;
    },
    async stop() {
      await killChild('SIGTERM');
      await tokenIssuer?.close();
      await rm(dir, { recursive: true, force: true });
    },
    async restart() {
      await killChild('SIGKILL');
      await launch();
    },
    async cpuProfile(seconds) {
      if (!debugPort) throw new Error('cpuProfile() needs a registry started with { debug: true }');
      const res = await fetch(`http://127.0.0.1:${debugPort}/debug/pprof/profile?seconds=${Math.max(1, Math.ceil(seconds))}`);
      if (!res.ok) throw new Error(`registry profile: HTTP ${res.status}`);
      return Buffer.from(await res.arrayBuffer());
    },
    async cpuSeconds() {
      if (!child?.pid) return NaN;
      // Fields 14 and 15 of /proc/PID/stat (utime, stime) in clock ticks; the comm field may hold spaces, so count
      // from the closing parenthesis. USER_HZ is 100 on Linux.
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(f[11]) + Number(f[12])) / 100;
    },
  };
}
