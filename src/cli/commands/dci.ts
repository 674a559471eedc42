/**
 * `dci-agent-ts dci …`: troubleshooting the DCI credentials and the API (whoami, job show) and `dci sign`,
 * which prints signed headers so a user can call the API with curl. Implementation loaded lazily.
 */
import type { Command } from 'commander';
import type { CliCommand } from './index.js';
import type { CliIO } from '../main.js';

interface CredOpts {
  envFile?: string;
  credentials?: string;
}

async function credentialsOrFail(opts: CredOpts) {
  const [{ loadDciCredentials }, { globalSecrets }, { DciApiError }] = await Promise.all([
    import('../../report/dci/credentials.js'),
    import('../../core/secrets.js'),
    import('../../core/errors.js'),
  ]);
  const creds = await loadDciCredentials({ envFile: opts.envFile, credentialsFile: opts.credentials, secrets: globalSecrets });
  if (!creds) {
    throw new DciApiError('dci-no-credentials', 'no DCI credentials: DCI_CLIENT_ID and DCI_API_SECRET are not set', {
      hint: 'export DCI_CLIENT_ID, DCI_API_SECRET and DCI_CS_URL, or pass --env-file dcirc.sh or --credentials dci_credentials.yml',
    });
  }
  return creds;
}

async function withClient<T>(opts: CredOpts, fn: (client: import('../../report/dci/client.js').DciClient) => Promise<T>): Promise<T> {
  const creds = await credentialsOrFail(opts);
  const [{ DciClient }, { globalSecrets }] = await Promise.all([import('../../report/dci/client.js'), import('../../core/secrets.js')]);
  const client = new DciClient({ credentials: creds, secrets: globalSecrets, retry: { retries: 2 }, timeoutMs: 60_000, log: (l) => process.stderr.write(globalSecrets.redact(l) + '\n') });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

function credOptions(cmd: Command): Command {
  return cmd
    .option('--env-file <file>', 'shell file setting DCI_CLIENT_ID, DCI_API_SECRET, DCI_CS_URL (dcirc.sh)')
    .option('--credentials <file>', 'dci_credentials.yml with DCI_CLIENT_ID, DCI_API_SECRET, DCI_CS_URL');
}

function registerWhoami(dci: Command, io: CliIO): void {
  credOptions(dci.command('whoami').description('check the DCI credentials: print the identity and team the server sees'))
    .option('--json', 'print the identity as JSON')
    .addHelpText('after', '\nExample:\n  DCI_CLIENT_ID=remoteci/… DCI_API_SECRET=… dci-agent-ts dci whoami')
    .action(async (opts: CredOpts & { json?: boolean }) => {
      await withClient(opts, async (client) => {
        const id = await client.whoami();
        const teams = Object.entries(id.teams ?? {}).map(([tid, t]) => ({ id: tid, name: t.team_name ?? t.name ?? '', state: t.state ?? '' }));
        if (opts.json) {
          io.stdout(JSON.stringify({ client_id: client.credentials.clientId, id: id.id, server: client.credentials.csUrl, teams }) + '\n');
          return;
        }
        io.stdout(`${client.credentials.clientId} at ${client.credentials.csUrl}: credentials accepted\n`);
        for (const t of teams) io.stdout(`  team ${t.name} (${t.id})${t.state ? ` ${t.state}` : ''}\n`);
      });
    });
}

function registerJobShow(dci: Command, io: CliIO): void {
  const job = dci.command('job').description('inspect DCI jobs');
  credOptions(job.command('show').argument('<id>', 'job id (uuid)').description('show a DCI job: status, job states, components, tags, files, results'))
    .option('--json', 'print a JSON summary')
    .addHelpText('after', '\nExample:\n  dci-agent-ts dci job show 3b8f5b1e-6a0e-4a41-9a55-0d0c1f8d1f6e')
    .action(async (id: string, opts: CredOpts & { json?: boolean }) => {
      const { UsageError } = await import('../../core/errors.js');
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
        throw new UsageError('dci-bad-job-id', `'${id}' is not a DCI job id`, { hint: 'job ids are UUIDs, as shown in the job URL of the DCI web UI' });
      }
      await withClient(opts, async (client) => {
        const { jobUiUrl } = await import('../../report/dci/reporter.js');
        const { job: j } = await client.getJob(id);
        // A summary of chosen fields only: the server's job payload is never printed verbatim.
        const summary = {
          id: j.id,
          name: j.name ?? '',
          status: j.status,
          topic: j.topic?.name ?? j.topic_id,
          created_at: j.created_at,
          tags: j.tags ?? [],
          components: (j.components ?? []).map((c) => ({ type: c.type, name: c.name, version: c.version ?? '', id: c.id })),
          jobstates: (j.jobstates ?? []).map((s) => ({ status: s.status, comment: s.comment ?? '', created_at: s.created_at })),
          files: (j.files ?? []).map((f) => ({ name: f.name, mime: f.mime ?? '', size: f.size })),
          results: (j.results ?? []).map((r) => ({ name: r.name, total: r.total, success: r.success, failures: r.failures, errors: r.errors, skips: r.skips })),
          keys_values: (j.keys_values ?? []).map((kv) => ({ key: kv.key, value: kv.value })),
          url: jobUiUrl(j.id),
        };
        if (opts.json) {
          io.stdout(JSON.stringify(summary, null, 2) + '\n');
          return;
        }
        io.stdout(`job ${summary.id} ${summary.name} [${summary.status}] topic ${summary.topic}\n  ${summary.url}\n`);
        if (summary.tags.length) io.stdout(`  tags: ${summary.tags.join(', ')}\n`);
        for (const c of summary.components) io.stdout(`  component ${c.type} ${c.name}${c.version && c.version !== c.name ? ` (${c.version})` : ''}\n`);
        for (const s of summary.jobstates) io.stdout(`  ${s.created_at ?? ''} ${s.status}${s.comment ? `: ${s.comment}` : ''}\n`);
        for (const r of summary.results) io.stdout(`  junit ${r.name}: ${r.total} tests, ${r.failures} failures, ${r.errors} errors, ${r.skips} skipped\n`);
        if (summary.files.length) io.stdout(`  ${summary.files.length} job-level file(s)\n`);
      });
    });
}

function registerSign(dci: Command, io: CliIO): void {
  credOptions(dci.command('sign').description('print DCI2-HMAC-SHA256 headers for one request as JSON (to use with curl)'))
    .requiredOption('--method <method>', 'HTTP method (GET, POST, PUT, DELETE)')
    .requiredOption('--url <url>', 'full URL, or a path resolved against DCI_CS_URL (e.g. /api/v1/identity)')
    .option('--body-file <file>', 'the exact body bytes that will be sent')
    .option('--date <timestamp>', 'signing time as YYYYMMDDTHHMMSSZ (default: now)')
    .addHelpText(
      'after',
      `
Example:
  dci-agent-ts dci sign --method GET --url https://api.distributed-ci.io/api/v1/identity
  curl -H "Authorization: …" -H "X-DCI-Date: …" https://api.distributed-ci.io/api/v1/identity`,
    )
    .action(async (opts: CredOpts & { method: string; url: string; bodyFile?: string; date?: string }) => {
      const [{ UsageError }, signing, { readFile }] = await Promise.all([import('../../core/errors.js'), import('../../report/dci/signing.js'), import('node:fs/promises')]);
      const method = opts.method.toUpperCase();
      if (!['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'].includes(method)) {
        throw new UsageError('dci-bad-method', `--method ${opts.method} is not an HTTP method`, { hint: 'use GET, POST, PUT or DELETE' });
      }
      let date: Date | undefined;
      if (opts.date !== undefined) {
        date = signing.parseDciTimestamp(opts.date);
        if (!date) throw new UsageError('dci-bad-date', `--date ${opts.date} is not a UTC timestamp YYYYMMDDTHHMMSSZ`, { hint: 'e.g. --date 20240919T132539Z' });
      }
      const creds = await credentialsOrFail(opts);
      let url: URL;
      try {
        url = new URL(opts.url, creds.csUrl + '/');
      } catch {
        throw new UsageError('dci-bad-url', `--url ${opts.url} is not a URL`, { hint: 'give https://host/api/v1/... or a path like /api/v1/identity' });
      }
      let body: Uint8Array = new Uint8Array();
      if (opts.bodyFile) {
        try {
          body = await readFile(opts.bodyFile);
        } catch (e) {
          throw new UsageError('dci-bad-body-file', `cannot read --body-file ${opts.bodyFile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { hint: 'give the path of the file holding the exact body bytes' });
        }
      }
      const headers = signing.signRequest({ method, url, body, clientId: creds.clientId, secret: creds.secret, date });
      io.stdout(JSON.stringify(headers) + '\n');
    });
}

function registerFlush(dci: Command, io: CliIO): void {
  credOptions(dci.command('flush').argument('<run>', 'run id (or prefix) from `runs list`, or the path of a run directory').description('send the job states and uploads a run kept because the DCI server was unreachable'))
    .option('--state-dir <dir>', 'state dir holding runs/ (default: DCI_AGENT_TS_STATE_DIR or ~/.local/state/dci-agent-ts)')
    .addHelpText('after', '\nExample:\n  dci-agent-ts dci flush 20240919-132539-lab-ab12')
    .action(async (run: string, opts: CredOpts & { stateDir?: string }) => {
      const [{ UsageError }, { existsSync }, { join, resolve }, store, spool] = await Promise.all([
        import('../../core/errors.js'),
        import('node:fs'),
        import('node:path'),
        import('../../report/run-record/index.js'),
        import('../../report/dci/spool.js'),
      ]);
      const asDir = resolve(run);
      const runDir = existsSync(join(asDir, 'summary.json')) ? asDir : store.findRun(store.runsDirFor(opts.stateDir ?? store.defaultStateDir()), run)?.dir;
      if (!runDir) throw new UsageError('dci-flush-no-run', `no run '${run}' found`, { hint: 'give a run id from `dci-agent-ts runs list` or the path of the run directory' });
      const spoolDir = join(runDir, 'dci-spool');
      const pending = await spool.listPendingUploads(spoolDir);
      if (!pending.length) {
        io.stdout(`nothing kept for DCI in ${runDir}\n`);
        return;
      }
      await withClient(opts, async (client) => {
        const r = await spool.flushPendingUploads(client, spoolDir);
        io.stdout(`sent ${r.jobStates} job state(s) and ${r.uploaded} upload(s) of ${runDir}\n`);
        if (r.remaining.length) {
          io.stderr(`${r.remaining.length} still kept in ${spoolDir}: ${r.remaining[0].error}\n`);
          process.exitCode = 1;
        }
      });
    });
}

export const dciCommand: CliCommand = {
  name: 'dci',
  register(program, io) {
    const dci = program.command('dci').description('DCI control server: check credentials, inspect jobs, sign requests, send what a run kept');
    registerWhoami(dci, io);
    registerJobShow(dci, io);
    registerSign(dci, io);
    registerFlush(dci, io);
  },
};
