/**
 * Where run records live. Precedence: the `dci_runs_dir` variable, then DCI_AGENT_TS_STATE_DIR/runs, then
 * $XDG_STATE_HOME/dci-agent-ts/runs, then ~/.local/state/dci-agent-ts/runs. Locks live next to the runs
 * (`<state>/locks`).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DCI_AGENT_TS_STATE_DIR) return resolve(env.DCI_AGENT_TS_STATE_DIR);
  const xdg = env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(xdg, 'dci-agent-ts');
}

export function runsDirFor(stateDir: string, override?: unknown): string {
  if (typeof override === 'string' && override.trim()) return resolve(override.replace(/^~(?=\/|$)/, homedir()));
  return join(stateDir, 'runs');
}

export function newRunId(cluster: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
  const rand = Math.random().toString(36).slice(2, 6);
  const safe = cluster.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 40) || 'cluster';
  return `${stamp}-${safe}-${rand}`;
}
