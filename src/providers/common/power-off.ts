/**
 * Powering the nodes off before an IPI install, like the redhatci `installer` role does right before
 * `create cluster`: a node left running an old OS can hold the VIPs or answer on the provisioning network while
 * the bootstrap VM starts. Per node (masters then workers) unless its `poweroff` variable is false:
 *  - Redfish BMCs (vendor dell/hpe/kvm, or a redfish/https address): from the controller, GracefulShutdown when
 *    on, ForceOff when the OS does not stop in time (the role only asks for the graceful shutdown);
 *  - IPMI BMCs (the default, also iRMC and other non-Redfish drivers): `ipmitool -I lanplus … power status`, then
 *    `power off` when on, run on the provisioner (the host the role runs ipmitool on, on the BMC network). The
 *    password goes on stdin into `IPMI_PASSWORD` + `-E`: never in argv or the remote command line.
 * Planned (shown in plan.txt, nothing done in --check), run by runPowerOff.
 */
import { InstallerError } from '../../core/errors.js';
import type { PlannedStep, ProviderContext, ProviderInput } from '../types.js';
import { redfishEndpoint } from './bmc.js';
import { bmcVendor } from './bmc.js';
import { RedfishClient } from './redfish.js';
import type { RemoteRunner } from './runner.js';
import { commandsOf, command, http } from './steps.js';
import { shellQuote } from '../../engine/transports/index.js';
import { flag, missingVar, text, type HostEntry } from './vars.js';

export interface PowerOffNode {
  node: string;
  kind: 'redfish' | 'ipmi';
  bmc_username: string;
  bmc_password: string;
  /** redfish */
  bmc_base_url?: string;
  bmc_system_path?: string;
  bmc_verify_tls?: boolean;
  /** ipmi */
  ipmi_host?: string;
  ipmi_port?: string;
}

const REDFISH_SCHEMES = /^(https?|redfish|redfish-virtualmedia|idrac-virtualmedia|idrac-redfish|ilo5-redfish|redfish-uefihttp)(\+https?)?:\/\//i;
/** Seconds a node gets to shut down gracefully before ForceOff. */
export const GRACEFUL_SHUTDOWN_S = 120;

function isRedfish(h: HostEntry, groups: ProviderInput['groups']): boolean {
  const raw = text(h.vars, 'bmc_address', 'ipmi_address') ?? '';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) return REDFISH_SCHEMES.test(raw);
  return bmcVendor(h, groups) !== 'ipmi' && bmcVendor(h, groups) !== 'irmc';
}

/** `host` and port of an IPMI address (bare, `ipmi://h[:p]`, or another driver's URL). */
function ipmiTarget(h: HostEntry): { host: string; port: string } {
  const raw = text(h.vars, 'bmc_address', 'ipmi_address')!;
  const dflt = text(h.vars, 'ipmi_port', 'bmc_port') ?? '623';
  const m = /^[a-z][a-z0-9+.-]*:\/\/([^/]+)/i.exec(raw);
  if (!m) return { host: raw, port: dflt };
  const url = new URL(`http://${m[1]}`);
  const scheme = raw.slice(0, raw.indexOf(':')).toLowerCase();
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: scheme === 'ipmi' && url.port ? url.port : dflt };
}

/** The ipmitool script: status, then off only when on (ipmitool's own retries: -R 7 -N 5, as the role). */
export function ipmiPowerOffScript(host: string, port: string, user: string): string {
  const ipmi = `ipmitool -I lanplus -H ${shellQuote(host)} -p ${shellQuote(port)} -U ${shellQuote(user)} -E -L ADMINISTRATOR -R 7 -N 5`;
  return [
    'IFS= read -r IPMI_PASSWORD; export IPMI_PASSWORD',
    `s=$(${ipmi} power status) || exit $?`,
    'echo "$s"',
    `case "$s" in *" is on"*) ${ipmi} power off ;; *) echo "already off" ;; esac`,
  ].join('\n');
}

export function powerOffPlan(input: ProviderInput, nodes: HostEntry[], provisioner: string, why: string): { steps: PlannedStep[]; nodes: PowerOffNode[]; skipped: string[] } {
  const steps: PlannedStep[] = [];
  const out: PowerOffNode[] = [];
  const skipped: string[] = [];
  for (const h of nodes) {
    if (!flag(h.vars, 'poweroff', true)) {
      skipped.push(h.name);
      continue;
    }
    const user = text(h.vars, 'ipmi_user', 'bmc_user');
    if (!user) throw missingVar(h.name, 'ipmi_user', why);
    const password = text(h.vars, 'ipmi_password', 'bmc_password');
    if (!password) throw missingVar(h.name, 'ipmi_password', why);
    if (isRedfish(h, input.groups)) {
      const ep = redfishEndpoint(h, input.groups, input.vars);
      const sys = ep.systemPath ?? '/redfish/v1/Systems/<the only member>';
      steps.push(http('POST', `${ep.baseUrl}${sys}/Actions/ComputerSystem.Reset`, 'poweroff', `power off ${h.name} through Redfish: GracefulShutdown when on, ForceOff after ${GRACEFUL_SHUTDOWN_S} s`));
      out.push({ node: h.name, kind: 'redfish', bmc_username: user, bmc_password: password, bmc_base_url: ep.baseUrl, ...(ep.systemPath ? { bmc_system_path: ep.systemPath } : {}), bmc_verify_tls: ep.verifyTls });
    } else {
      const t = ipmiTarget(h);
      steps.push(command(provisioner, 'poweroff', `power off ${h.name} through IPMI ${t.host}:${t.port} (ipmitool on ${provisioner}, password on stdin)`, ['sh', '-c', ipmiPowerOffScript(t.host, t.port, user)], 5 * 60_000));
      out.push({ node: h.name, kind: 'ipmi', bmc_username: user, bmc_password: password, ipmi_host: t.host, ipmi_port: t.port });
    }
  }
  return { steps, nodes: out, skipped };
}

/** Power off every planned node, in plan order. */
export async function runPowerOff(nodes: PowerOffNode[], plan: Parameters<typeof commandsOf>[0], runner: RemoteRunner, ctx: ProviderContext, o: { gracefulMs?: number; pollMs?: number } = {}): Promise<void> {
  const ipmiSteps = commandsOf(plan, 'poweroff');
  let i = 0;
  for (const n of nodes) {
    ctx.secrets.add(n.bmc_password);
    if (n.kind === 'ipmi') {
      const step = ipmiSteps[i++];
      const r = await runner.run(step, { phase: 'poweroff', stdin: `${n.bmc_password}\n`, stream: true, allowFailure: true });
      if (r.rc !== 0) {
        const e = runner.failure(step, 'poweroff', r);
        throw new InstallerError(e.code, e.message, {
          location: { host: n.node },
          hint:
            r.rc === 127
              ? `ipmitool is not installed on ${runner.host}: install it there (the original's node_prep does), or set poweroff=false on ${n.node}`
              : `check ipmi_address, ipmi_user and ipmi_password of ${n.node} (ipmitool -I lanplus from ${runner.host}), or set poweroff=false on it`,
        });
      }
      continue;
    }
    const client = new RedfishClient(
      { host: n.node, baseUrl: n.bmc_base_url!, systemPath: n.bmc_system_path, verifyTls: n.bmc_verify_tls !== false, username: n.bmc_username, password: n.bmc_password },
      ctx.signal,
    );
    try {
      await client.powerOff((l) => ctx.log(l), { gracefulMs: o.gracefulMs ?? GRACEFUL_SHUTDOWN_S * 1000, pollMs: o.pollMs });
    } finally {
      await client.close();
    }
  }
}
