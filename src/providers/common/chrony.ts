/**
 * `clock_servers`: the installer role writes two MachineConfigs, 98-master-etc-chrony-conf and
 * 98-worker-etc-chrony-conf, that replace /etc/chrony.conf on every node with one `server … iburst` line per
 * clock server (labs without access to public NTP pools; a skewed clock breaks certificates during install).
 * Ignition 3.1.0 (the role's choice for > 4.5), `overwrite: true`, mode 0644.
 */
import { badVar } from './vars.js';
import { yaml } from './install-config.js';

export function clockServers(vars: Record<string, unknown>): string[] {
  const v = vars.clock_servers;
  if (v === undefined || v === null || v === '') return [];
  const list = Array.isArray(v) ? v : typeof v === 'string' ? v.split(/[\s,]+/) : [v];
  const out = list.map((x) => String(x).trim()).filter(Boolean);
  for (const s of out) {
    if (!/^[A-Za-z0-9.:[\]-]+$/.test(s)) throw badVar(undefined, 'clock_servers', `holds ${JSON.stringify(s)}, which is not a host name or an IP`, 'give a list of NTP servers, e.g. clock_servers: [ntp1.lab, 10.0.0.1]');
  }
  return out;
}

export function chronyConf(servers: string[]): string {
  return [...servers.map((s) => `server ${s} iburst`), 'driftfile /var/lib/chrony/drift', 'makestep 1.0 3', 'rtcsync', 'logdir /var/log/chrony', ''].join('\n');
}

/** The two MachineConfig manifests (file name → YAML), none when clock_servers is unset. */
export function chronyManifests(vars: Record<string, unknown>): Array<{ name: string; content: string }> {
  const servers = clockServers(vars);
  if (servers.length === 0) return [];
  const source = `data:text/plain;charset=utf-8;base64,${Buffer.from(chronyConf(servers)).toString('base64')}`;
  return (['master', 'worker'] as const).map((role) => ({
    name: `98-${role}-etc-chrony-conf.yaml`,
    content: yaml({
      apiVersion: 'machineconfiguration.openshift.io/v1',
      kind: 'MachineConfig',
      metadata: { labels: { 'machineconfiguration.openshift.io/role': role }, name: `98-${role}-etc-chrony-conf` },
      spec: { config: { ignition: { version: '3.1.0' }, storage: { files: [{ contents: { source }, mode: 0o644, overwrite: true, path: '/etc/chrony.conf' }] } } },
    }),
  }));
}
