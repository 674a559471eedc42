/** Reading run records back: `runs list` and `runs show`. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunSummary } from './summary.js';

export function listRuns(runsDir: string): RunSummary[] {
  if (!existsSync(runsDir)) return [];
  const out: RunSummary[] = [];
  for (const name of readdirSync(runsDir)) {
    const s = readSummary(join(runsDir, name));
    if (s) out.push(s);
  }
  return out.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

export function readSummary(runDir: string): RunSummary | null {
  try {
    return JSON.parse(readFileSync(join(runDir, 'summary.json'), 'utf8')) as RunSummary;
  } catch {
    return null;
  }
}

/** Find a run by id or unique id prefix. */
export function findRun(runsDir: string, id: string): { dir: string; summary: RunSummary } | null {
  if (!existsSync(runsDir)) return null;
  const matches = readdirSync(runsDir).filter((n) => n === id || n.startsWith(id));
  const exact = matches.includes(id) ? [id] : matches;
  if (exact.length !== 1) return null;
  const dir = join(runsDir, exact[0]);
  const summary = readSummary(dir);
  return summary ? { dir, summary } : null;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function formatRunTable(runs: RunSummary[]): string {
  const rows = [['ID', 'INVENTORY', 'STARTED', 'DURATION', 'STATE']];
  for (const r of runs) rows.push([r.runId, r.inventory, r.startedAt.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), formatDuration(r.durationMs), r.state]);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()).join('\n') + '\n';
}

export function formatRunDetails(dir: string, s: RunSummary): string {
  const lines = [
    `run:       ${s.runId}`,
    `inventory: ${s.inventory}`,
    `cluster:   ${s.cluster}`,
    `started:   ${s.startedAt}`,
    `duration:  ${formatDuration(s.durationMs)}`,
    `state:     ${s.state}${s.dciJobId ? ` (DCI job ${s.dciJobId})` : ''}`,
    `states:    ${s.states.map((x) => x.state).join(' → ')}`,
    '',
    'stages:',
  ];
  for (const st of s.stages) lines.push(`  ${st.name.padEnd(18)} ${st.status.padEnd(8)} ${formatDuration(st.durationMs)}${st.msg ? `  ${st.msg}` : ''}`);
  if (s.failedTask) {
    const f = s.failedTask;
    lines.push('', `failed task: ${f.task} (host ${f.host}, stage ${f.stage})`);
    if (f.file) lines.push(`  at ${f.file}${f.line ? `:${f.line}` : ''}`);
    lines.push(`  ${f.msg}`);
    const output = f.output ?? (f.log && existsSync(join(dir, f.log)) ? readFileSync(join(dir, f.log), 'utf8') : '');
    if (output) lines.push('  output:', ...output.trimEnd().split('\n').map((l) => `    ${l}`));
  }
  if (s.notes.length) lines.push('', 'notes:', ...s.notes.map((n) => `  ${n}`));
  lines.push('', `record: ${dir}`);
  return lines.join('\n') + '\n';
}
