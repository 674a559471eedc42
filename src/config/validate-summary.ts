/**
 * `dci-agent-ts validate`: load the inventory, check every setting the pipeline reads (and each node's installer
 * data), and print a normalized summary. Errors are thrown (InventoryError / SettingsError, exit 2).
 */
import { globalSecrets } from '../core/secrets.js';
import type { InventorySettings } from './inventory-settings.js';
import type { LoadedInventory } from './load-inventory.js';
import { loadRunConfig } from './run-config.js';

export interface ValidateResult {
  inventory: LoadedInventory;
  resolved: InventorySettings;
  /** The controller host's variables with the extra vars on top, as the pipeline reads them. */
  controllerVars: Record<string, unknown>;
  text: string;
}

export async function validateInventory(path: string, extraVarArgs: readonly string[] = []): Promise<ValidateResult> {
  // Secrets are registered before settings are checked, so a message quoting a value is redacted.
  const { inventory, controller, settings, nodes, warnings, engineInventory, extraVars } = await loadRunConfig(path, extraVarArgs, globalSecrets);
  const resolved = { controller, settings, nodes, warnings };
  const controllerVars = { ...(engineInventory.hosts[controller]?.vars ?? {}), ...extraVars };
  return { inventory, resolved, controllerVars, text: globalSecrets.redact(summary(inventory, resolved)) };
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

function summary(inv: LoadedInventory, r: InventorySettings): string {
  const s = r.settings;
  const formats = [...new Set(inv.sources.map((x) => x.format))].join('+');
  const out: string[] = [];
  out.push(`inventory:     ${inv.path} (${formats}${inv.sources.length > 1 ? `, ${inv.sources.length} files` : ''})`);
  const groups = Object.values(inv.groups).filter((g) => g.name !== 'all' && (g.name !== 'ungrouped' || g.hosts.length > 0));
  out.push(`groups:        ${groups.map((g) => `${g.name}(${g.hosts.length + g.children.length ? [g.hosts.length ? `${g.hosts.length} host${g.hosts.length > 1 ? 's' : ''}` : '', g.children.length ? `children: ${g.children.join(',')}` : ''].filter(Boolean).join('; ') : 'empty'})`).join(' ')}`);
  out.push(`hosts:         ${Object.keys(inv.hosts).length}`);
  const width = Math.max(4, ...Object.keys(inv.hosts).map((h) => h.length));
  for (const h of Object.values(inv.hosts)) {
    const vars = h.store.merged();
    const addr = vars.ansible_host !== undefined ? String(vars.ansible_host) : '-';
    const conn = vars.ansible_connection !== undefined ? ` connection=${String(vars.ansible_connection)}` : '';
    out.push(`  ${h.name.padEnd(width)}  ansible_host=${addr}${conn}  groups: ${h.groups.filter((g) => g !== 'all').join(', ')}`);
  }
  out.push(`install_type:  ${s.installType}`);
  const fqdn = s.cluster && s.baseDomain ? `${s.cluster}.${s.baseDomain}` : (s.cluster ?? '-');
  out.push(`cluster:       ${fqdn}${s.apiVip ? `  api VIP ${s.apiVip}` : ''}${s.ingressVip ? `  ingress VIP ${s.ingressVip}` : ''}`);
  out.push(`version:       ${s.ocpVersion ?? '(from the DCI job)'}${s.releaseImage ? `  release image ${s.releaseImage}` : ''}`);
  out.push(`disconnected:  ${yesNo(s.disconnected)}`);
  out.push(`registry:      ${s.dciLocalRegistry ?? '-'}`);
  out.push(`cache:         ${s.provisionCacheStore}${s.webserverUrl ? ` served at ${s.webserverUrl}` : ''}`);
  out.push(`mirror sets:   ${s.mirrorSetKind}`);
  out.push(`operators:     ${s.operators.length === 0 ? '-' : s.operators.map((o) => `${o.name}${o.channel ? `@${o.channel}` : ''}`).join(', ')}`);
  const mirrored = Object.keys(s.opmMirrorList);
  if (mirrored.length > 0) out.push(`mirror list:   ${mirrored.join(', ')}`);
  out.push(`config dirs:   ${s.configDirs.join(', ') || '-'}`);
  out.push(`teardown:      on success ${yesNo(s.teardownOnSuccess)}, on failure ${yesNo(s.teardownOnFailure)}`);
  if (r.nodes.length > 0) {
    out.push(`nodes:`);
    for (const n of r.nodes) {
      const bmc = n.bmcAddress ? `bmc ${n.bmcUser ?? '?'}@${n.bmcAddress}${n.bmcPort ? `:${n.bmcPort}` : ''}` : 'no bmc';
      const mac = n.provisionMac ? `provision_mac ${n.provisionMac}` : n.baremetalMac ? `baremetal_mac ${n.baremetalMac}` : '';
      out.push(`  ${n.name.padEnd(width)}  ${n.role.padEnd(6)}  ${bmc}${mac ? `  ${mac}` : ''}`);
    }
  }
  out.push(`dci:           ${s.dci.clientId ? `client ${s.dci.clientId}` : 'credentials not in the inventory (read from the environment or --env-file)'}`);
  if (s.secretVariables.length > 0) out.push(`secrets:       ${s.secretVariables.join(', ')} (redacted in all output)`);
  for (const w of [...inv.warnings, ...r.warnings]) out.push(`warning: ${w}`);
  out.push(`OK: ${inv.path} is valid for an ${s.installType} install (controller variables from host "${r.controller}")`);
  return out.join('\n') + '\n';
}
