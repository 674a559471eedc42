/**
 * Reading provider variables the Ansible way (INI values arrive as strings or numbers, booleans as yes/no) and
 * the one error shape for missing or bad host data: which host, which variable, what to do.
 */
import { InstallerError } from '../../core/errors.js';
import { ansibleBool } from '../../config/index.js';
import type { ProviderInput } from '../types.js';

export type HostEntry = ProviderInput['groups'][string][number];

/** A non-empty string value (numbers turned into text), else undefined. Unrendered templates count as unset. */
export function text(vars: Record<string, unknown>, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = vars[n];
    if (v === undefined || v === null || v === '') continue;
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return undefined;
}

export function flag(vars: Record<string, unknown>, name: string, dflt: boolean): boolean {
  const v = vars[name];
  if (v === undefined || v === null || v === '') return dflt;
  return ansibleBool(v) ?? dflt;
}

/** A missing or wrong variable, named with its host (or `the inventory` for controller variables). */
export function missingVar(host: string | undefined, variable: string, why: string, hint?: string): InstallerError {
  const where = host ? `host "${host}"` : 'the inventory';
  return new InstallerError('missing-host-data', `${where}: ${variable} is required ${why}`, {
    location: host ? { host } : undefined,
    hint: hint ?? (host ? `add ${variable}=... to the host line of ${host} (or host_vars/${host}.yml)` : `set ${variable} in [all:vars] or with -e ${variable}=...`),
  });
}

export function badVar(host: string | undefined, variable: string, message: string, hint: string): InstallerError {
  const where = host ? `host "${host}"` : 'the inventory';
  return new InstallerError('bad-host-data', `${where}: ${variable} ${message}`, { location: host ? { host } : undefined, hint });
}

export function requireText(vars: Record<string, unknown>, host: string | undefined, why: string, ...names: string[]): string {
  const v = text(vars, ...names);
  if (v === undefined) throw missingVar(host, names[0], why);
  return v;
}

/** Members of an inventory group, in inventory order. */
export function members(input: ProviderInput, group: string): HostEntry[] {
  return input.groups[group] ?? [];
}

/** The provisioner host (group `provisioner`, first member); `localhost` when the inventory has none. */
export function provisionerHost(input: ProviderInput): HostEntry {
  return members(input, 'provisioner')[0] ?? { name: 'localhost', vars: { ...input.vars, ansible_connection: 'local' } };
}

/** Milliseconds from a seconds variable (Ansible-style: `10800` or `"10800"`). */
export function seconds(vars: Record<string, unknown>, name: string, dfltSeconds: number): number {
  const v = text(vars, name);
  if (v === undefined) return dfltSeconds * 1000;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw badVar(undefined, name, `must be a number of seconds, got ${JSON.stringify(v)}`, `e.g. ${name}=${dfltSeconds}`);
  return Math.round(n * 1000);
}

/** A count of attempts (`increase_install_timeout=3`): a non-negative integer, `dflt` when unset. */
export function count(vars: Record<string, unknown>, dflt: number, ...names: string[]): number {
  for (const name of names) {
    const v = text(vars, name);
    if (v === undefined) continue;
    if (!/^\s*\d+\s*$/.test(v)) throw badVar(undefined, name, `must be a number of attempts, got ${JSON.stringify(v)}`, `e.g. ${name}=3`);
    return Number(v);
  }
  return dflt;
}
