/** Writing a plan's files on the installer host: secret files 0600, the rest 0644, parents created first. */
import { posix } from 'node:path';
import type { InstallPlan, PlannedFile } from '../types.js';
import type { RemoteRunner } from './runner.js';

export async function uploadFiles(runner: RemoteRunner, plan: InstallPlan, files: PlannedFile[], phase: string): Promise<void> {
  if (files.length === 0) return;
  const dirs = [...new Set(files.map((f) => posix.dirname(posix.join(plan.workDir, f.path))))];
  await runner.run({ kind: 'command', host: runner.host, argv: ['mkdir', '-p', ...dirs], description: `${phase}: create ${dirs.join(', ')}` }, { phase });
  for (const f of files) {
    runner.phase(phase, `write ${posix.join(plan.workDir, f.path)}${f.secret ? ' (0600)' : ''}`);
    await runner.put(posix.join(plan.workDir, f.path), f.content, f.secret ? 0o600 : 0o644);
  }
}

export function planFile(plan: InstallPlan, path: string): PlannedFile[] {
  return plan.files.filter((f) => f.path === path);
}

export function planFilesUnder(plan: InstallPlan, prefix: string): PlannedFile[] {
  return plan.files.filter((f) => f.path.startsWith(prefix));
}
