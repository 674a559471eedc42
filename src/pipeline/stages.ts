/**
 * The stage pipeline as data: which task file runs, which hooks follow, which job state a stage belongs to
 * and which final state a failure in it leads to. Same mapping as the original agent (dci-agent-reference §1.3–1.4):
 * infrastructure stages (pre-run, release mirroring, post-run) fail into `error`; install, operators and tests
 * fail into `failure`. Release mirroring lives in the original's pre-run play, hence its `error` mapping.
 */
import type { JobState } from '../core/events.js';

export type MainStage = 'pre-run' | 'mirror-images' | 'install' | 'deploy-operators' | 'post-run';
export type FinalStage = 'success' | 'failure' | 'teardown';
export type StageName = MainStage | FinalStage;

export interface StageDefinition {
  name: MainStage;
  /** Job state posted when the stage starts (only posted when it changes). */
  jobState: Extract<JobState, 'pre-run' | 'running' | 'post-run'>;
  /** Final state when this stage fails. */
  onFailure: Extract<JobState, 'error' | 'failure'>;
  /** Hook points run before the built-in playbook. */
  hooksBefore: string[];
  /** Hook points run after the built-in playbook. */
  hooksAfter: string[];
  /** A hook that replaces the built-in playbook when any config dir provides it. */
  replacedBy?: string;
}

export const MAIN_STAGES: readonly StageDefinition[] = [
  { name: 'pre-run', jobState: 'pre-run', onFailure: 'error', hooksBefore: [], hooksAfter: ['pre-run'] },
  { name: 'mirror-images', jobState: 'pre-run', onFailure: 'error', hooksBefore: [], hooksAfter: ['mirror-images'] },
  {
    name: 'install',
    jobState: 'running',
    onFailure: 'failure',
    hooksBefore: ['configure'],
    hooksAfter: ['install'],
    replacedBy: 'custom-install',
  },
  { name: 'deploy-operators', jobState: 'running', onFailure: 'failure', hooksBefore: [], hooksAfter: ['deploy-operators', 'tests'] },
  { name: 'post-run', jobState: 'post-run', onFailure: 'error', hooksBefore: [], hooksAfter: ['post-run'] },
];

export const STAGE_NAMES: readonly StageName[] = [...MAIN_STAGES.map((s) => s.name), 'success', 'failure', 'teardown'];

/** Every hook file name a config dir may provide, in the order they can run. */
export const HOOK_NAMES = ['pre-run', 'mirror-images', 'configure', 'custom-install', 'install', 'deploy-operators', 'tests', 'post-run', 'success', 'failure', 'teardown'] as const;

export function isMainStage(name: string): name is MainStage {
  return MAIN_STAGES.some((s) => s.name === name);
}

export interface StageSelection {
  /** Only these main stages (default: all). */
  only?: string[];
  skip?: string[];
  /** Resume: skip every main stage before this one. */
  startAt?: string;
}

/** Which main stages run, in order. Throws a plain Error naming the unknown stage (the CLI wraps it as a usage error). */
export function selectStages(selection: StageSelection): StageDefinition[] {
  const known = MAIN_STAGES.map((s) => s.name as string);
  for (const name of [...(selection.only ?? []), ...(selection.skip ?? []), ...(selection.startAt ? [selection.startAt] : [])]) {
    if (!known.includes(name)) throw new Error(`unknown stage "${name}" (known stages: ${known.join(', ')})`);
  }
  let stages = [...MAIN_STAGES];
  if (selection.startAt) stages = stages.slice(known.indexOf(selection.startAt));
  if (selection.only?.length) stages = stages.filter((s) => selection.only!.includes(s.name));
  if (selection.skip?.length) stages = stages.filter((s) => !selection.skip!.includes(s.name));
  return stages;
}
