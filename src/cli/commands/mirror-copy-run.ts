/** The implementation behind `mirror copy` (loaded only when the command runs). */
import { setMaxListeners } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Interrupted, UsageError } from '../../core/errors.js';
import type { CliIO } from '../main.js';
import type { MirrorCopyFlags } from './mirror-copy.js';

function positiveInt(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new UsageError('bad-option', `${flag} must be an integer between 1 and 256, got ${JSON.stringify(v)}`);
  return n;
}

function defaultAuthFiles(): string[] {
  const env = process.env.REGISTRY_AUTH_FILE;
  if (env) return [env];
  const candidates = [
    process.env.XDG_RUNTIME_DIR ? join(process.env.XDG_RUNTIME_DIR, 'containers', 'auth.json') : '',
    join(homedir(), '.docker', 'config.json'),
  ].filter((p) => p && existsSync(p));
  return candidates.slice(0, 1);
}

export async function runMirrorCopy(flags: MirrorCopyFlags, io: CliIO): Promise<void> {
  // The modules the copy needs, not the src/mirror barrel (it pulls the OCI archive code, the verifier, the reader):
  // a no-op re-mirror is mostly process start-up, so every module loaded shows.
  const [copyMod, mappingMod, referenceMod, reportMod, clientMod] = await Promise.all([
    import('../../mirror/copy/copy-images.js'),
    import('../../mirror/copy/mapping.js'),
    import('../../core/image-reference.js'),
    import('../../mirror/copy/report.js'),
    import('../../mirror/registry/client.js'),
  ]);
  const mirror = { ...copyMod, ...mappingMod, ...referenceMod, ...reportMod, RegistryClient: clientMod.RegistryClient };
  let pairs: Array<{ source: string; destination: string }>;
  if (flags.mapping) {
    if (flags.from || flags.to) throw new UsageError('bad-option', 'use either --mapping or --from/--to, not both');
    let text: string;
    try {
      text = await readFile(flags.mapping, 'utf8');
    } catch (e) {
      throw new UsageError('mapping-missing', `cannot read mapping file ${flags.mapping}: ${(e as Error).message}`, { location: { file: flags.mapping } });
    }
    pairs = mirror.parseMapping(text, flags.mapping);
    if (pairs.length === 0) throw new UsageError('bad-mapping', `${flags.mapping} has no SOURCE=DESTINATION line`, { location: { file: flags.mapping } });
  } else {
    if (!flags.from || !flags.to) throw new UsageError('bad-option', 'mirror copy needs --from SRC and --to DST (or --mapping FILE)', { hint: 'see dci-agent-ts mirror copy --help' });
    mirror.parseImageLocation(flags.from);
    mirror.parseImageLocation(flags.to);
    pairs = [{ source: flags.from, destination: flags.to }];
  }
  const hosts = new Set<string>();
  for (const p of pairs) {
    for (const s of [p.source, p.destination]) {
      const l = mirror.parseImageLocation(s);
      if (l.transport === 'docker') hosts.add(l.ref.registry);
    }
  }
  const caFiles: Record<string, string> = {};
  for (const c of flags.ca ?? []) {
    const eq = c.indexOf('=');
    const [host, file] = eq > 0 ? [c.slice(0, eq), c.slice(eq + 1)] : [undefined, c];
    if (!existsSync(file)) throw new UsageError('ca-file-missing', `CA bundle ${file} does not exist`, { hint: 'pass --ca HOST=FILE with a PEM file', location: { file } });
    if (host) caFiles[host] = file;
    else for (const h of hosts) caFiles[h] ??= file;
  }
  const authFile = flags.auth?.length ? flags.auth : defaultAuthFiles();
  // An auth file the user named must exist and be JSON: a silent fallback to anonymous pulls fails much later.
  for (const f of flags.auth ?? []) {
    let text: string;
    try {
      text = await readFile(f, 'utf8');
    } catch (e) {
      throw new UsageError('auth-file-missing', `cannot read the auth file ${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
        hint: 'pass a pull secret, auth.json or docker config.json with --auth',
        location: { file: f },
      });
    }
    try {
      JSON.parse(text);
    } catch (e) {
      throw new UsageError('auth-file-invalid', `the auth file ${f} is not valid JSON: ${(e as Error).message}`, {
        hint: 'it must look like {"auths": {"registry.example.com": {"auth": "<base64 user:password>"}}}',
        location: { file: f },
      });
    }
  }
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  const onSignal = (): void => controller.abort(new Interrupted('mirror interrupted'));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let lastProgress = Date.now();
  const client = new mirror.RegistryClient({ authFile, caFiles, insecure: flags.insecure, plainHttp: flags.plainHttp });
  try {
    const report = await mirror.copyImages(pairs, {
      client,
      platforms: flags.platform,
      concurrency: positiveInt(flags.concurrency, '--concurrency'),
      perHostConcurrency: positiveInt(flags.perHost, '--per-host'),
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'mirror-image' && e.status === 'failed' && !flags.json) io.stderr(`failed: ${e.source} → ${e.destination}: ${e.msg ?? ''}\n`);
        // A progress line every few seconds on an interactive terminal (CI logs get the summary only).
        if (e.type === 'mirror-progress' && process.stderr.isTTY && Date.now() - lastProgress > 3000) {
          lastProgress = Date.now();
          io.stderr(`mirror: ${e.imagesDone}/${e.imagesTotal} images, ${mirror.formatBytes(e.bytesDone)} of ${mirror.formatBytes(e.bytesTotal)} known so far, ${mirror.formatBytes(e.rateBps)}/s\n`);
        }
      },
    });
    if (controller.signal.aborted) throw new Interrupted('mirror interrupted');
    let verified: Awaited<ReturnType<typeof import('../../mirror/verify.js').verifyImages>> | undefined;
    if (flags.verify) {
      const { verifyImages } = await import('../../mirror/verify.js');
      const ok = report.results.filter((r) => r.status !== 'failed').map((r) => r.destination);
      verified = await verifyImages(ok, { client, signal: controller.signal });
    }
    if (flags.json) {
      io.stdout(JSON.stringify(verified ? { ...report, verify: verified } : report, null, 2) + '\n');
    } else {
      for (const line of mirror.summarizeReport(report)) if (!line.startsWith('failed:')) io.stdout(line + '\n');
      if (verified) {
        io.stdout(`verify: ${verified.manifests} manifests and ${verified.blobs} blobs read back, ${verified.problems.length} problem(s)\n`);
        for (const p of verified.problems) io.stderr(`verify: ${p.problem} ${p.digest ?? ''} in ${p.image}: ${p.message}\n`);
      }
    }
    if (report.failures.length > 0 || (verified && !verified.ok)) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await client.close();
  }
}
