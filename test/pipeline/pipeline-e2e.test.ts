/**
 * `dci-agent-ts run` end to end with the real engine, real hook files and the real CLI: stage and hook order,
 * failure mapping, kill → teardown, resume, check mode, lock, and what a failing hook shows the user.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN, runCli } from '../helpers/cli.js';
import { makeLab, recordingHook, type Lab } from './lab-fixture.js';

let lab: Lab | undefined;
afterEach(() => {
  if (lab) rmSync(lab.dir, { recursive: true, force: true });
  lab = undefined;
});

const order = (l: Lab) => (existsSync(l.orderLog) ? readFileSync(l.orderLog, 'utf8').trim().split('\n') : []);
const run = (l: Lab, args: string[] = []) => runCli(['run', '--inventory', l.inventory, '--output', 'plain', ...args], { env: l.env, timeoutMs: 90_000 });

describe('dci-agent-ts run (e2e)', () => {
  it('runs hooks of two config dirs in order, teardown reversed, and ends in success', async () => {
    lab = makeLab();
    for (const [i, d] of [[0, 'a'], [1, 'b']] as const) {
      for (const h of ['pre-run', 'install', 'tests', 'post-run', 'success', 'teardown']) lab.writeHook(i, h, recordingHook(`${d}:${h}`));
    }
    const r = await run(lab);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(order(lab)).toEqual([
      'a:pre-run', 'b:pre-run', 'a:install', 'b:install', 'a:tests', 'b:tests', 'a:post-run', 'b:post-run', 'a:success', 'b:success', 'b:teardown', 'a:teardown',
    ]);
    expect(r.stdout).toMatch(/job state: success/);
    const list = await runCli(['runs', 'list', '--state-dir', lab.stateDir]);
    expect(list.stdout).toMatch(/e2e-\w{4}\s+\S+lab\.yml\s+.*success/);
  });

  it('hooks see inventory_file and inventory_dir of the inventory that listed the host, as ansible-playbook', async () => {
    lab = makeLab();
    lab.writeHook(0, 'pre-run', recordingHook('{{ inventory_file }} in {{ inventory_dir }}'));
    const r = await run(lab);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(order(lab)).toEqual([`${lab.inventory} in ${lab.dir}`]);
  });

  it('a failing hook shows the failing task, its file:line and output, in the terminal and in runs show', async () => {
    lab = makeLab();
    lab.writeHook(0, 'install', `- name: all good
  debug: msg=fine
- name: check the nodes
  shell: echo "node sno-0 NotReady" && exit 3
`);
    lab.writeHook(0, 'failure', recordingHook('a:failure'));
    const r = await run(lab);
    expect(r.code).toBe(1);
    const hook = join(lab.hookDirs[0], 'hooks', 'install.yml');
    expect(r.stdout).toMatch(/failed: \[localhost\] check the nodes .*non-zero return code/);
    expect(r.stdout).toContain(`${hook}:3`);
    expect(r.stdout).toContain('node sno-0 NotReady');
    expect(r.stdout).toMatch(/job state: failure/);
    expect(order(lab)).toEqual(['a:failure']);
    const id = /run (\S+) failure/.exec(r.stdout)?.[1];
    expect(id).toBeTruthy();
    const show = await runCli(['runs', 'show', id!, '--state-dir', lab.stateDir]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('failed task: check the nodes (host localhost, stage install)');
    expect(show.stdout).toContain(`at ${hook}:3`);
    expect(show.stdout).toContain('node sno-0 NotReady');
  });

  it('a failure in a pre-run hook ends in error and skips the failure hooks', async () => {
    lab = makeLab();
    lab.writeHook(0, 'pre-run', `- fail: msg="registry not reachable"\n`);
    lab.writeHook(1, 'failure', recordingHook('b:failure'));
    const r = await run(lab);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/job state: error \(pre-run: .*registry not reachable\)/);
    expect(order(lab)).toEqual([]);
  });

  it('SIGTERM during a stage ends in killed after teardown ran, exit 130', async () => {
    lab = makeLab();
    lab.writeHook(0, 'install', `- name: long install step\n  command: sleep 30\n`);
    lab.writeHook(1, 'teardown', recordingHook('b:teardown'));
    const child = spawn(process.execPath, ['--', BIN, 'run', '--inventory', lab.inventory, '--output', 'plain'], { env: { ...process.env, ...lab.env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`install never started:\n${out}`)), 30_000);
      const timer = setInterval(() => {
        if (out.includes('long install step') || out.includes('STAGE [install]')) {
          clearInterval(timer);
          clearTimeout(t);
          setTimeout(resolve, 300);
        }
      }, 50);
    });
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(130);
    expect(out).toMatch(/job state: killed/);
    expect(order(lab)).toEqual(['b:teardown']);
  });

  it('--start-at resumes a failed run from a stage and --check changes nothing', async () => {
    lab = makeLab();
    lab.writeHook(0, 'pre-run', `- set_fact: { remembered: "from-first-run" }\n`);
    lab.writeHook(0, 'install', `- fail: msg=boom\n  when: not (fixed | default(false) | bool)\n- shell: echo "install saw {{ remembered }}" >> {{ order_log }}\n`);
    expect((await run(lab)).code).toBe(1);
    const r = await run(lab, ['--start-at', 'install', '-e', 'fixed=true']);
    expect(r.code).toBe(0);
    expect(order(lab)).toEqual(['install saw from-first-run']);
    expect(r.stdout).not.toContain('STAGE [pre-run]');

    lab.writeHook(1, 'post-run', recordingHook('b:post-run'));
    const check = await run(lab, ['--check', '-e', 'fixed=true']);
    expect(check.code).toBe(0);
    expect(order(lab)).toEqual(['install saw from-first-run']);
  });

  it('a second concurrent run of the same cluster exits 75 naming the holder', async () => {
    lab = makeLab();
    lab.writeHook(0, 'pre-run', `- command: sleep 5\n`);
    const first = run(lab);
    await new Promise((r) => setTimeout(r, 2500));
    const second = await run(lab);
    expect(second.code).toBe(75);
    expect(second.stderr).toMatch(/another run holds the lock for cluster "e2e": pid \d+ on \S+, started \d{4}-/);
    expect((await first).code).toBe(0);
  });

  it('a disconnected ipi lab without webserver_url: exit 2 with one message naming it, before any stage or run record', async () => {
    lab = makeLab();
    // The same lab as a disconnected IPI one that forgot webserver_url (empty, as a template default would leave it).
    writeFileSync(
      lab.inventory,
      readFileSync(lab.inventory, 'utf8')
        .replace('install_type: sno', 'install_type: ipi\n    dci_disconnected: true\n    local_registry_host: registry.lab\n    local_registry_port: 5000')
        .replace('webserver_url: http://192.0.2.1:8080', 'webserver_url: ""')
        .replace('baremetal_mac: "52:54:00:00:00:10"', 'provision_mac: "52:54:00:00:00:10"'),
    );
    lab.writeHook(0, 'pre-run', recordingHook('a:pre-run'));
    const r = await run(lab);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([
      "error: the inventory: webserver_url is required for an ipi install with dci_disconnected on OpenShift 4.16.3: the RHCOS bootstrap VM (qemu) image is served to the cluster from the lab's cache web server, a disconnected cluster cannot download it",
      '  hint: set webserver_url=http://<cache host>:<port> (an HTTP server serving provision_cache_store), or give bootstraposimage=<URL?sha256=...> of an image your lab already serves, or set cache_enabled=true to serve the cache from the provisioner (port webserver_caching_port)',
    ]);
    expect(r.stdout).not.toContain('STAGE');
    expect(order(lab)).toEqual([]);
    expect(existsSync(join(lab.stateDir, 'runs'))).toBe(false);
  });
});
