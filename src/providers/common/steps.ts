/**
 * Plan steps carry their phase in the description (`"<phase>: what"`), so plan.txt reads well and run() finds
 * the exact step the plan promised instead of rebuilding commands on its own.
 */
import { InstallerError } from '../../core/errors.js';
import type { InstallPlan, PlannedStep } from '../types.js';
import type { CommandStep } from './runner.js';

export function command(host: string, phase: string, what: string, argv: string[], timeoutMs?: number): CommandStep {
  const s: CommandStep = { kind: 'command', host, argv, description: `${phase}: ${what}` };
  if (timeoutMs !== undefined) s.timeoutMs = timeoutMs;
  return s;
}

export function http(method: string, url: string, phase: string, what: string): PlannedStep {
  return { kind: 'http', method, url, description: `${phase}: ${what}` };
}

export function phaseOf(step: PlannedStep): string {
  return step.description.split(':')[0];
}

/** The command steps of a phase, in plan order. */
export function commandsOf(plan: InstallPlan, phase: string): CommandStep[] {
  return plan.steps.filter((s): s is CommandStep => s.kind === 'command' && phaseOf(s) === phase);
}

export function oneCommand(plan: InstallPlan, phase: string): CommandStep {
  const s = commandsOf(plan, phase);
  if (s.length !== 1) throw new InstallerError('bad-plan', `the ${plan.installType} plan has ${s.length} "${phase}" commands, expected 1`, { hint: 'plans are made by plan(); do not edit them by hand' });
  return s[0];
}

export function fact(plan: InstallPlan, name: string): string {
  const v = plan.facts[name];
  if (typeof v !== 'string') throw new InstallerError('bad-plan', `the ${plan.installType} plan has no "${name}" fact`);
  return v;
}
