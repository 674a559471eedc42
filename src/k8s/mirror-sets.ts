/**
 * Apply the mirror sets (IDMS/ITMS/ICSP) and CatalogSources that mirror-images wrote, then — when a mirror set
 * changed — wait for the MachineConfigPools: the MCO renders a new config (registries.conf) and rolls it to every
 * node; operators pulled before that finishes would fail to pull from the mirror.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KubernetesError } from '../core/errors.js';
import type { K8sClient } from './client.js';
import { findCondition } from './conditions.js';
import { parseDefinitions } from './definitions.js';
import { describeRef, refOf, type K8sObject } from './types.js';

export const MIRROR_SET_KINDS = ['ImageDigestMirrorSet', 'ImageTagMirrorSet', 'ImageContentSourcePolicy'];

function rank(o: K8sObject): number {
  if (MIRROR_SET_KINDS.includes(o.kind)) return 0;
  if (o.kind === 'CatalogSource') return 1;
  return 2;
}

/** Every object of the YAML/JSON files of `dir` (sorted by file name), mirror sets first, then catalogs. */
export async function loadMirrorSetDir(dir: string): Promise<K8sObject[]> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.(ya?ml|json)$/.test(n)).sort();
  } catch (e) {
    throw new KubernetesError('mirror-sets-dir', `cannot read the mirror sets directory ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      hint: 'dci_mirror_sets_dir is set by mirror-images; run that stage first or unset it',
    });
  }
  const objs: K8sObject[] = [];
  for (const n of names) objs.push(...parseDefinitions(await readFile(join(dir, n), 'utf8'), join(dir, n)));
  return objs.map((o, i) => ({ o, i })).sort((a, b) => rank(a.o) - rank(b.o) || a.i - b.i).map((x) => x.o);
}

export interface MirrorApplyResult {
  applied: Array<{ object: string; changed: boolean; created: boolean }>;
  mirrorSetsChanged: boolean;
  poolsWaited: boolean;
}

export interface PoolWaitOptions {
  /** How long to wait for the MCO to pick the change up (a pool going Updating) before trusting Updated. */
  settleMs: number;
  timeoutMs: number;
  intervalMs: number;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

const MCP = 'machineconfiguration.openshift.io/v1';

function poolState(p: K8sObject): { updated: boolean; updating: boolean; degraded: boolean; config?: string } {
  const st = p.status as { configuration?: { name?: string }; machineCount?: number; updatedMachineCount?: number } | undefined;
  const counts = st?.machineCount === undefined || st.machineCount === st.updatedMachineCount;
  return {
    updated: findCondition(p, 'Updated')?.status === 'True' && counts,
    updating: findCondition(p, 'Updating')?.status === 'True',
    degraded: findCondition(p, 'Degraded')?.status === 'True',
    config: st?.configuration?.name,
  };
}

/** Wait for every MachineConfigPool to be Updated again after a change made at `before` (their rendered configs). */
export async function waitForMachineConfigPools(client: K8sClient, before: Map<string, string | undefined>, opts: PoolWaitOptions): Promise<void> {
  const settleUntil = Date.now() + opts.settleMs;
  const deadline = Date.now() + opts.timeoutMs;
  let picked = false;
  for (;;) {
    const { items: pools, resourceVersion } = await client.listVersioned(MCP, 'MachineConfigPool');
    const states = pools.map((p) => ({ name: p.metadata.name, ...poolState(p) }));
    const degraded = states.find((s) => s.degraded);
    if (degraded) {
      throw new KubernetesError('mcp-degraded', `MachineConfigPool ${degraded.name} is Degraded after the mirror sets changed`, {
        hint: 'oc describe mcp ' + degraded.name + ' shows the failing node; a bad registries.conf is the usual cause',
      });
    }
    picked ||= states.some((s) => s.updating || (before.has(s.name) && before.get(s.name) !== s.config));
    const allUpdated = states.every((s) => s.updated && !s.updating);
    if (allUpdated && (picked || Date.now() >= settleUntil)) return;
    if (Date.now() >= deadline) {
      throw new KubernetesError(
        'k8s-timeout',
        `timed out after ${Math.round(opts.timeoutMs / 1000)}s waiting for MachineConfigPools to finish updating: ${states.map((s) => `${s.name} ${s.updating ? 'Updating' : s.updated ? 'Updated' : 'not updated'}`).join(', ')}`,
        { hint: 'nodes reboot to take new mirror settings; check oc get mcp and the machine-config-daemon logs' },
      );
    }
    if (opts.signal?.aborted) throw opts.signal.reason as Error;
    // Watch the pools until the next change, waking at the end of the settle time when nothing was picked up yet.
    const wakeAt = !picked && allUpdated ? Math.min(settleUntil, deadline) : deadline;
    await client.nextChange(MCP, 'MachineConfigPool', { resourceVersion }, Math.max(10, wakeAt - Date.now()), { intervalMs: opts.intervalMs, signal: opts.signal });
  }
}

export async function applyMirrorObjects(client: K8sClient, objects: K8sObject[], opts: PoolWaitOptions & { waitPools: boolean }): Promise<MirrorApplyResult> {
  const before = new Map((await client.list(MCP, 'MachineConfigPool')).map((p) => [p.metadata.name, poolState(p).config]));
  const applied: MirrorApplyResult['applied'] = [];
  let mirrorSetsChanged = false;
  for (const o of objects) {
    const r = await client.apply(o);
    applied.push({ object: describeRef(refOf(o)), changed: r.changed, created: r.created });
    opts.log?.(`${describeRef(refOf(o))}: ${r.created ? 'created' : r.changed ? 'updated' : 'unchanged'}`);
    if (r.changed && MIRROR_SET_KINDS.includes(o.kind)) mirrorSetsChanged = true;
  }
  let poolsWaited = false;
  if (mirrorSetsChanged && opts.waitPools && before.size > 0) {
    opts.log?.('mirror sets changed: waiting for the MachineConfigPools to roll the new registries.conf out');
    await waitForMachineConfigPools(client, before, opts);
    poolsWaited = true;
  }
  return { applied, mirrorSetsChanged, poolsWaited };
}
