/**
 * What `dci-agent-ts vars` prints: a host's merged variables (YAML for people, or one JSON object shaped like
 * `ansible-inventory --host`), or the explanation of one variable. Secret variables (SECRET_VARIABLE_PATTERN) are
 * shown as ******** unless the caller asks for raw values (`--show-secrets`, needed to diff with ansible-inventory).
 */
import { dump } from 'js-yaml';
import { REDACTED, type SecretRegistry } from '../core/secrets.js';
import { PRECEDENCE_LEVELS, precedenceRank } from './precedence.js';
import { isSecretVariable } from './settings.js';
import type { VarExplanation, VarProvenance } from './var-store.js';

/** Replace the values of secret-named variables (at any depth) by ********. */
export function redactSecretVars<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactSecretVars(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = isSecretVariable(k) && v !== null && v !== '' ? REDACTED : redactSecretVars(v);
    return out as T;
  }
  return value;
}

/** Keys sorted at every level, as `ansible-inventory` prints them (json.dumps sort_keys=True). */
export function sortKeysDeep<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => sortKeysDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    return out as T;
  }
  return value;
}

export interface VarsOutputOptions {
  output: 'yaml' | 'json';
  showSecrets: boolean;
  /** Registry of secret values: other variables that embed them (URLs, tokens) are redacted too. */
  secrets?: SecretRegistry;
}

export function formatHostVars(vars: Record<string, unknown>, opts: VarsOutputOptions): string {
  const shown = sortKeysDeep(opts.showSecrets ? vars : redactSecretVars(vars));
  const text = opts.output === 'json' ? JSON.stringify(shown, null, 4) + '\n' : dump(shown, { lineWidth: -1 });
  return opts.showSecrets || !opts.secrets ? text : opts.secrets.redact(text);
}

function where(p: VarProvenance): string {
  if (!p.file) return p.label;
  return `${p.file}${p.line ? `:${p.line}` : ''} (${p.label})`;
}

function showValue(p: VarProvenance, showSecrets: boolean): string {
  const v = !showSecrets && isSecretVariable(p.name) && p.value !== null && p.value !== '' ? REDACTED : redactSecretVarsIf(p.value, showSecrets);
  return JSON.stringify(v) ?? 'null';
}

function redactSecretVarsIf(v: unknown, showSecrets: boolean): unknown {
  return showSecrets ? v : redactSecretVars(v);
}

export function formatExplanation(host: string, e: VarExplanation, opts: VarsOutputOptions): string {
  let text: string;
  if (opts.output === 'json') {
    const strip = (p: VarProvenance): Record<string, unknown> => ({
      value: JSON.parse(showValue(p, opts.showSecrets)) as unknown,
      level: p.level,
      level_title: p.levelTitle,
      source: p.label,
      ...(p.file ? { file: p.file } : {}),
      ...(p.line ? { line: p.line } : {}),
    });
    text = JSON.stringify({ host, name: e.name, ...strip(e), overridden: e.overridden.map(strip) }, null, 4) + '\n';
  } else {
    const total = PRECEDENCE_LEVELS.length;
    const lines = [
      `${e.name} = ${showValue(e, opts.showSecrets)}   (host ${host})`,
      `  from:  ${where(e)}`,
      `  level: ${e.levelTitle} (precedence ${precedenceRank(e.level) + 1} of ${total}, higher wins)`,
    ];
    if (e.overridden.length === 0) lines.push('  overrode: nothing (defined only here)');
    else {
      lines.push('  overrode:');
      for (const o of e.overridden) lines.push(`    ${showValue(o, opts.showSecrets)} from ${where(o)} — ${o.levelTitle}`);
    }
    text = lines.join('\n') + '\n';
  }
  return opts.showSecrets || !opts.secrets ? text : opts.secrets.redact(text);
}
