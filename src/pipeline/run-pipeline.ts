/**
 * The stage pipeline: pre-run → mirror-images → install → deploy-operators → post-run, then success or failure,
 * then teardown. Each stage runs `playbooks/<stage>.yml` through the engine, then the user hooks of every config
 * dir. Moves the job state (events), owns the run record and the lock. Reference: dci-agent-reference §1–2.
 *
 * Contract: `runPipeline` never throws for a failed stage — it returns the final state; it throws only for
 * bad input found before anything ran (unknown stage) and for a held lock (LockHeldError, exit 75).
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { AgentEvent, EventBus, JobState } from '../core/events.js';
import type { SecretRegistry } from '../core/secrets.js';
import { writeFileAtomic } from '../core/atomic-write.js';
import { DciError, UsageError } from '../core/errors.js';
import { ansibleBool } from '../config/settings.js';
import type { EngineInventory, RunTaskFileOptions, RunTaskFileResult, TaskFailure } from '../engine/types.js';
import { MAIN_STAGES, selectStages, type StageDefinition, type StageSelection } from './stages.js';
import { configDirsFor, findHooks, type HookFile } from './hooks.js';
import { findKubernetesUse } from './hook-k8s-scan.js';
import { acquireLock, type HeldLock } from './lock.js';
import { RunRecordWriter, describeFsError, finalResult } from '../report/run-record/writer.js';
import { newRunId, runsDirFor } from '../report/run-record/paths.js';
import { findRun, listRuns } from '../report/run-record/store.js';
import type { RunSummary } from '../report/run-record/summary.js';
import { defaultLocalRegistry } from '../config/local-registry.js';

export type RunFile = (opts: RunTaskFileOptions) => Promise<RunTaskFileResult>;

export interface PipelineOptions {
  inventoryPath: string;
  inventory: EngineInventory;
  extraVars: Record<string, unknown>;
  /** `--hooks-dir` values; appended after `dci_config_dirs`. */
  hooksDirs: string[];
  selection: StageSelection;
  checkMode: boolean;
  tags?: string[];
  skipTags?: string[];
  bus: EventBus;
  secrets: SecretRegistry;
  /** State dir (runs/ and locks/). */
  stateDir: string;
  /** Folder of the built-in stage playbooks. */
  playbooksDir: string;
  runFile: RunFile;
  /** Aborted on SIGINT/SIGTERM: the current stage stops, the run ends in `killed` after teardown. */
  killSignal: AbortSignal;
  /** Upper bound for teardown after a kill (ms). */
  killTeardownTimeoutMs?: number;
  /** `--start-at` resumes from this run (id or prefix); default: the latest run of the same cluster. */
  resumeRunId?: string;
  /** Called once the run id is known, before anything runs (DCI job creation hooks in here). */
  onRunStart?: (info: { runId: string; runDir: string; cluster: string; vars: Record<string, unknown> }) => Promise<Record<string, unknown> | void>;
  /** Awaited before the run ends (e.g. pending DCI uploads). */
  onRunEnd?: (info: { runId: string; runDir: string; state: JobState; summary: RunSummary }) => Promise<void>;
}

export interface PipelineResult {
  runId: string;
  runDir: string;
  state: JobState;
  summary: RunSummary;
  exitCode: 0 | 1 | 130;
}

/** The hosts bare hook task lists run on: the jumphost group when the inventory has one, else localhost. */
function controllerHosts(inv: EngineInventory): string[] {
  const jump = inv.groups.jumphost;
  return jump && jump.length ? [jump[0]] : ['localhost'];
}

function expandHome(p: string): string {
  return p.replace(/^~(?=\/|$)/, homedir());
}

function isPlainString(v: unknown): v is string {
  return typeof v === 'string' && !v.includes('{{') && !v.includes('{%');
}

/** The cluster name keys the lock and names runs: `cluster`, then `cluster_name`, `acm_cluster_name`, else the inventory's file name. */
export function clusterNameOf(vars: Record<string, unknown>, inventoryPath: string): string {
  for (const key of ['cluster', 'cluster_name', 'acm_cluster_name']) {
    const v = vars[key];
    if (isPlainString(v) && v.trim()) return v.trim();
  }
  return basename(inventoryPath).replace(/\.(ya?ml|ini|json)$/, '');
}

export async function runPipeline(o: PipelineOptions): Promise<PipelineResult> {
  const host0 = controllerHosts(o.inventory)[0];
  const baseVars = { ...(o.inventory.hosts[host0]?.vars ?? {}), ...o.extraVars };
  const stages = (() => {
    try {
      return selectStages(o.selection);
    } catch (e) {
      throw new UsageError('unknown-stage', (e as Error).message, { hint: 'use --stages/--skip-stage/--start-at with the stage names listed' });
    }
  })();
  const configDirs = (): string[] => configDirsFor(baseVars, o.inventoryPath, o.hooksDirs);
  // The built-in install stage runs (a custom-install hook replaces it with the lab's own): its prerequisites are
  // checked now, before anything is locked, mirrored or installed (the original agent's pre-install asserts).
  const installDef = stages.find((s) => s.name === 'install');
  const builtInInstall = installDef !== undefined && !(installDef.replacedBy && findHooks(configDirs(), installDef.replacedBy).length > 0);
  if (builtInInstall) await checkInstallPrerequisites(baseVars);
  const cluster = clusterNameOf(baseVars, o.inventoryPath);
  const runsDir = runsDirFor(o.stateDir, baseVars.dci_runs_dir);
  const runId = newRunId(cluster);
  const runDir = join(runsDir, runId);

  // Resume: facts saved by an earlier run of the same cluster.
  let facts: Record<string, Record<string, unknown>> = {};
  let resumedFrom: string | undefined;
  if (o.selection.startAt) {
    const previous = o.resumeRunId ? findRun(runsDir, o.resumeRunId) : latestRunOf(runsDir, cluster);
    if (!previous) {
      throw new UsageError('no-run-to-resume', `--start-at ${o.selection.startAt}: no earlier run of cluster "${cluster}" found in ${runsDir}`, {
        hint: 'run the pipeline once without --start-at, or pass --resume RUN_ID',
      });
    }
    resumedFrom = previous.summary.runId;
    const factsFile = join(previous.dir, 'facts.json');
    if (existsSync(factsFile)) facts = JSON.parse(readFileSync(factsFile, 'utf8')) as typeof facts;
  }

  let lock: HeldLock;
  try {
    lock = acquireLock(o.stateDir, cluster, runId);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    // A held lock is a DciError (exit 75); a file system error (disk full, read-only) is said as such.
    if (e instanceof DciError || typeof err.code !== 'string' || !err.syscall) throw e;
    throw recordError(err.path ?? join(o.stateDir, 'locks'), err, o.stateDir);
  }
  const jobLogsPath = join(runDir, 'job_logs');

  const summary: RunSummary = {
    runId,
    inventory: o.inventoryPath,
    cluster,
    startedAt: new Date().toISOString(),
    state: 'new',
    states: [],
    stages: [],
    notes: [],
    resumedFrom,
    checkMode: o.checkMode || undefined,
  };
  let record: RunRecordWriter;
  try {
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
    mkdirSync(jobLogsPath, { recursive: true });
    record = new RunRecordWriter(runDir, summary, o.secrets);
  } catch (e) {
    // Nothing ran yet: say which path could not be written and why (a full disk is the usual cause).
    lock.release();
    throw recordError((e as NodeJS.ErrnoException).path ?? runDir, e as NodeJS.ErrnoException, o.stateDir);
  }
  const unsubscribe = o.bus.on((e) => record.on(e));
  const emit = (e: AgentEvent) => o.bus.emit(e);
  if (lock.tookOverFrom) {
    emit({ type: 'warning', msg: `took over a stale lock of pid ${lock.tookOverFrom.pid} (run ${lock.tookOverFrom.runId}, started ${lock.tookOverFrom.startedAt}): that process is gone` });
  }
  emit({ type: 'run-start', runId, inventory: o.inventoryPath, runDir, startedAt: summary.startedAt });

  let state = 'new' as JobState;
  const currentState = (): JobState => state;
  const setState = (s: JobState, comment?: string) => {
    if (s === state && s !== 'new') return;
    state = s;
    emit({ type: 'job-state', state: s, comment });
  };
  setState('new');

  const startedMs = Date.now();
  let extraFromStart: Record<string, unknown> = {};

  const testCases: RunTaskFileResult['testCases'] = [];
  let failure: { stage: string; failure?: TaskFailure; msg: string } | undefined;

  const jobInfo = (stage: string) => ({
    id: (extraFromStart.job_id as string | undefined) ?? runId,
    name: (baseVars.dci_name as string | undefined) ?? 'ocp-install',
    stage,
    state,
    start_time: summary.startedAt,
    ocp_version: hostFact('ocp_version') ?? baseVars.ocp_version,
    components: (extraFromStart.components as unknown[] | undefined) ?? [],
    run_dir: runDir,
  });

  function hostFact(name: string): unknown {
    for (const h of Object.values(facts)) if (h[name] !== undefined) return h[name];
    return undefined;
  }

  const stageVars = (stage: string, hookdir?: string): Record<string, unknown> => {
    const configsDir = hostFact('dci_cluster_configs_dir') ?? (isPlainString(baseVars.dci_cluster_configs_dir) ? expandHome(baseVars.dci_cluster_configs_dir) : undefined) ?? join(homedir(), `clusterconfigs-${cluster}`);
    const vars: Record<string, unknown> = {
      job_info: jobInfo(stage),
      job_id: jobInfo(stage).id,
      job_logs: { path: jobLogsPath },
      dci_run_dir: runDir,
      dci_run_id: runId,
      dci_stage: stage,
      dci_check_mode: o.checkMode,
      dci_playbooks_dir: o.playbooksDir,
      dci_inventory_file: o.inventoryPath,
      ...extraFromStart,
    };
    // Defaults only: inventory values and facts set by earlier stages win (they sit above or are merged later).
    const defaults: Record<string, unknown> = {
      dci_cluster_configs_dir: configsDir,
      kubeconfig_path: join(String(configsDir), 'kubeconfig'),
      dci_local_registry: defaultLocalRegistry(baseVars),
    };
    for (const [k, v] of Object.entries(defaults)) if (v !== undefined && baseVars[k] === undefined && hostFact(k) === undefined) vars[k] = v;
    if (hookdir) vars.hookdir = hookdir;
    return vars;
  };

  const kubeconfigEnv = (): Record<string, string> => {
    const k = hostFact('kubeconfig_path') ?? (isPlainString(baseVars.kubeconfig_path) ? expandHome(baseVars.kubeconfig_path) : undefined) ?? stageVars('env').kubeconfig_path;
    return typeof k === 'string' ? { KUBECONFIG: k } : {};
  };

  /** Run one task file; merges facts; returns the result. Never throws for task failures. */
  const runOne = async (stage: string, file: string, kind: 'playbook' | 'hook', signal: AbortSignal, hookdir?: string): Promise<RunTaskFileResult> => {
    if (kind === 'hook') emit({ type: 'hook-start', stage, file });
    let result: RunTaskFileResult;
    // A run record that can no longer be written (disk full) stops this task file at once.
    const recordFailed = new AbortController();
    record.onWriteError = () => recordFailed.abort();
    signal = AbortSignal.any([signal, recordFailed.signal]);
    try {
      result = await o.runFile({
        file,
        inventory: o.inventory,
        hosts: kind === 'hook' ? controllerHosts(o.inventory) : undefined,
        playVars: stageVars(stage, hookdir),
        extraVars: o.extraVars,
        facts,
        emit,
        secrets: o.secrets,
        checkMode: o.checkMode,
        tags: o.tags,
        skipTags: o.skipTags,
        runDir,
        signal,
        environment: kubeconfigEnv(),
      });
    } catch (e) {
      // A task file that cannot be loaded (syntax, unknown keyword) fails the stage with its message.
      // The message names the file and line (what the user must open), like `play` does.
      const err = e as Error & { location?: { file?: string; line?: number }; hint?: string };
      const where = `${err.location?.file ?? file}${err.location?.line ? `:${err.location.line}` : ''}`;
      const msg = `${where}: ${err.message}${err.hint ? ` (${err.hint})` : ''}`;
      result = {
        ok: false,
        stats: {},
        facts,
        failures: [{ host: controllerHosts(o.inventory)[0], task: '(load)', file: err.location?.file ?? file, line: err.location?.line, msg }],
        testCases: [],
      };
    }
    record.onWriteError = undefined;
    facts = result.facts ?? facts;
    testCases.push(...result.testCases);
    if (kind === 'hook') emit({ type: 'hook-end', stage, file, status: result.ok ? 'ok' : 'failed' });
    const factsFile = join(runDir, 'facts.json');
    await writeFileAtomic(factsFile, o.secrets.redact(JSON.stringify(facts, null, 2)), { mode: 0o600, fsync: false }).catch((e: unknown) => record.recordWriteError(factsFile, e));
    return result;
  };

  const playbookFor = (stage: string): string | undefined => {
    const f = join(o.playbooksDir, `${stage}.yml`);
    return existsSync(f) ? f : undefined;
  };

  /** Runs the pieces of a stage in order, stopping at the first failure. */
  const runSteps = async (stage: string, steps: Array<{ kind: 'playbook' | 'hook'; file: string; hookdir?: string }>, signal: AbortSignal) => {
    for (const step of steps) {
      if (signal.aborted) return { ok: false, failure: undefined as TaskFailure | undefined, msg: 'interrupted', located: 'interrupted' };
      const r = await runOne(stage, step.file, step.kind, signal, step.hookdir);
      if (record.writeError) {
        // The run record cannot be written (disk full…): stop here rather than go on unrecorded.
        const msg = recordError(record.writeError.path, record.writeError.error, o.stateDir).message;
        return { ok: false, failure: undefined as TaskFailure | undefined, msg, located: msg };
      }
      if (!r.ok) {
        const f = r.failures[0];
        // The stage's message says where to look: the failing task's file:line when the message does not already.
        const where = f?.file ? `${f.file}${f.line ? `:${f.line}` : ''}` : '';
        const msg = f?.msg ?? `${step.file} failed`;
        return { ok: false, failure: f, msg, located: where && !msg.includes(where) ? `${msg} (${where})` : msg };
      }
    }
    return { ok: true, failure: undefined, msg: '', located: '' };
  };

  const hookSteps = (hooks: HookFile[]) => hooks.map((h) => ({ kind: 'hook' as const, file: h.file, hookdir: h.dir }));

  const stepsOf = (def: StageDefinition) => {
    const dirs = configDirs();
    const steps: Array<{ kind: 'playbook' | 'hook'; file: string; hookdir?: string }> = [];
    for (const h of def.hooksBefore) steps.push(...hookSteps(findHooks(dirs, h)));
    const replacement = def.replacedBy ? findHooks(dirs, def.replacedBy) : [];
    if (replacement.length) steps.push(...hookSteps(replacement));
    else {
      const pb = playbookFor(def.name);
      if (pb) steps.push({ kind: 'playbook', file: pb });
    }
    for (const h of def.hooksAfter) steps.push(...hookSteps(findHooks(dirs, h)));
    return steps;
  };

  try {
    if (o.onRunStart) {
      try {
        extraFromStart = (await o.onRunStart({ runId, runDir, cluster, vars: baseVars })) ?? {};
        // The DCI job may give the OpenShift version the inventory left out: check again with it.
        if (builtInInstall && baseVars.ocp_version === undefined && extraFromStart.ocp_version !== undefined) await checkInstallPrerequisites({ ...baseVars, ...extraFromStart });
      } catch (e) {
        // E.g. DCI rejected the credentials: the job fails in pre-run (error), the record says why, the CLI prints
        // the one clear message and exits with the error's code.
        const msg = (e as Error).message;
        emit({ type: 'stage-start', stage: 'pre-run' });
        emit({ type: 'stage-end', stage: 'pre-run', status: 'failed', durationMs: 0, msg });
        record.setFailedTask({ stage: 'pre-run', task: 'start the job', host: host0, msg });
        setState('error', msg.slice(0, 500));
        await record.finish('error', 'error');
        throw e;
      }
    }
    if (typeof extraFromStart.dci_job_id === 'string') summary.dciJobId = extraFromStart.dci_job_id;
    // Load the Kubernetes client library in the background while the first stages run: deploy-operators' first
    // call no longer waits for it (0.55 s idle, seconds under load). A failed load is reported by that call.
    // Hooks count too: a tests or post-run hook with k8s_info pays the same import at its first call otherwise.
    const runVars = { ...baseVars, ...extraFromStart };
    if (!o.checkMode && runVars.dci_install_mode !== 'plan') {
      const resumedMirrorSets = hostFact('dci_mirror_sets_dir') !== undefined;
      const hookUse = () => {
        try {
          return findKubernetesUse(hookPointsOf(stages, o.selection).flatMap((name) => findHooks(configDirs(), name)));
        } catch {
          return undefined; // an unreadable config dir is reported when its hooks run, not by this optimisation
        }
      };
      if (reachesCluster(stages, false, resumedMirrorSets ? { ...runVars, dci_mirror_sets_dir: hostFact('dci_mirror_sets_dir') } : runVars)) preloadKubernetes('stages');
      else {
        const use = hookUse();
        if (use) preloadKubernetes(`hook ${use.file} uses ${use.module}`);
      }
    }

    for (const def of stages) {
      if (o.killSignal.aborted) break;
      setState(def.jobState);
      emit({ type: 'stage-start', stage: def.name });
      const t0 = Date.now();
      const r = await runSteps(def.name, stepsOf(def), o.killSignal);
      if (!r.ok) {
        emit({ type: 'stage-end', stage: def.name, status: 'failed', durationMs: Date.now() - t0, msg: r.located });
        if (!o.killSignal.aborted) failure = { stage: def.name, failure: r.failure, msg: r.msg };
        if (!o.killSignal.aborted) {
          const f = r.failure;
          record.setFailedTask({
            stage: def.name,
            task: f?.task ?? def.name,
            host: f?.host ?? host0,
            file: f?.file,
            line: f?.line,
            msg: r.msg,
            output: f?.output,
          });
          setState(def.onFailure, `${def.name}: ${f?.task ? `${f.task}: ` : ''}${r.msg}`.slice(0, 500));
        }
        break;
      }
      emit({ type: 'stage-end', stage: def.name, status: 'ok', durationMs: Date.now() - t0 });
    }
    for (const def of MAIN_STAGES) {
      if (!stages.includes(def)) record.on({ type: 'stage-end', stage: def.name, status: 'skipped', durationMs: 0 });
    }

    const killed = o.killSignal.aborted;
    const skipTeardown = o.selection.skip?.includes('teardown') ?? false;
    // Final stages: errors here are reported but never change the final state.
    const finalSignal = killed ? AbortSignal.timeout(o.killTeardownTimeoutMs ?? 300_000) : new AbortController().signal;
    const runFinal = async (stage: 'success' | 'failure' | 'teardown') => {
      emit({ type: 'stage-start', stage });
      const t0 = Date.now();
      const dirs = configDirs();
      const pb = playbookFor(stage);
      const hooks = hookSteps(findHooks(dirs, stage));
      const builtIn: Array<{ kind: 'playbook' | 'hook'; file: string; hookdir?: string }> = pb ? [{ kind: 'playbook', file: pb }] : [];
      // Hooks first, then the built-in file, as the original (teardown hooks come in reverse dir order).
      const steps = [...hooks, ...builtIn];
      let failedMsg: string | undefined;
      for (const step of steps) {
        const r = await runOne(stage, step.file, step.kind, finalSignal, step.hookdir);
        if (!r.ok) failedMsg = failedMsg ?? r.failures[0]?.msg ?? 'failed';
      }
      if (failedMsg) emit({ type: 'warning', msg: `${stage}: ${failedMsg} (the job state stays ${state})` });
      emit({ type: 'stage-end', stage, status: failedMsg ? 'failed' : 'ok', durationMs: Date.now() - t0, msg: failedMsg });
    };

    const truthy = (v: unknown, dflt: boolean) => ansibleBool(v) ?? dflt;
    if (killed) {
      setState('killed', 'interrupted by a signal');
      if (!skipTeardown) await runFinal('teardown');
    } else if (failure) {
      if (currentState() === 'failure') await runFinal('failure');
      if (!skipTeardown && truthy(baseVars.dci_teardown_on_failure, false)) await runFinal('teardown');
    } else {
      setState('success');
      await runFinal('success');
      if (!skipTeardown && truthy(baseVars.dci_teardown_on_success, true)) await runFinal('teardown');
    }

    // Notes the stage playbooks left for the end-of-run summary.
    for (const h of Object.values(facts)) {
      const notes = h.dci_summary_notes;
      if (Array.isArray(notes)) for (const n of notes) if (typeof n === 'string' && !summary.notes.includes(n)) record.note(n);
    }
    if (testCases.length) {
      const { renderJunit } = await import('../report/junit.js');
      const junitFile = join(runDir, 'junit.xml');
      await writeFileAtomic(junitFile, o.secrets.redact(renderJunit(`dci-agent-ts ${cluster}`, testCases)), { mode: 0o644 }).catch((e: unknown) => record.recordWriteError(junitFile, e));
    }
    await record.finish(state, finalResult(state));
    if (o.onRunEnd) await o.onRunEnd({ runId, runDir, state, summary });
    emit({ type: 'run-end', runId, state, durationMs: Date.now() - startedMs, summary: summary.notes });
    await record.finish(state, finalResult(state));
  } finally {
    unsubscribe();
    await record.close();
    lock.release();
  }
  // The stages ended (failure hooks and teardown ran); the run record is incomplete: one clear error, exit 1.
  if (record.writeError) throw recordError(record.writeError.path, record.writeError.error, o.stateDir);
  const finalState = currentState();
  return { runId, runDir, state: finalState, summary, exitCode: finalState === 'success' ? 0 : finalState === 'killed' ? 130 : 1 };
}

/** Throws the first unmet install prerequisite (InstallerError, exit 2) of these controller variables. */
async function checkInstallPrerequisites(vars: Record<string, unknown>): Promise<void> {
  const { installPrerequisiteError } = await import('../providers/prerequisites.js');
  const e = installPrerequisiteError(vars);
  if (e) throw e;
}

/**
 * Whether the run will talk to a cluster through the Kubernetes client: deploy-operators, or the install stage of
 * an ACM spoke (the hub). Not in check mode or with dci_install_mode=plan: those write plans and contact nothing.
 */
export function reachesCluster(stages: readonly StageDefinition[], checkMode: boolean, vars: Record<string, unknown>): boolean {
  if (checkMode || vars.dci_install_mode === 'plan') return false;
  return stages.some((s) => (s.name === 'deploy-operators' && deployOperatorsCallsCluster(stages, vars)) || (s.name === 'install' && vars.install_type === 'acm'));
}

/**
 * deploy-operators contacts the cluster only with operators to install or mirror sets to apply (its module returns
 * at once otherwise). dci_operators as a template or anything but an empty list counts as "some"; mirror sets come
 * from dci_mirror_sets_dir, which the mirror-images stage may set during the run.
 */
function deployOperatorsCallsCluster(stages: readonly StageDefinition[], vars: Record<string, unknown>): boolean {
  const ops = vars.dci_operators;
  const noOperators = ops === undefined || ops === null || ops === '' || (Array.isArray(ops) && ops.length === 0);
  return !noOperators || (vars.dci_mirror_sets_dir !== undefined && vars.dci_mirror_sets_dir !== null) || stages.some((s) => s.name === 'mirror-images');
}

/** Every hook point the selected stages may run: before/after hooks, replacements, then the final stages'. */
function hookPointsOf(stages: readonly StageDefinition[], selection: StageSelection): string[] {
  const points = stages.flatMap((s) => [...s.hooksBefore, ...(s.replacedBy ? [s.replacedBy] : []), ...s.hooksAfter]);
  points.push('success', 'failure');
  if (!selection.skip?.includes('teardown')) points.push('teardown');
  return points;
}

function preloadKubernetes(reason: string): void {
  // Fire and forget: preloadKubernetesClient never rejects, and a failure to load our own module is left to the
  // first real use too (it imports the same file and reports the error there).
  import('../k8s/client.js').then((m) => m.preloadKubernetesClient(reason), () => undefined);
}

function recordError(path: string, error: NodeJS.ErrnoException, stateDir: string): DciError {
  const full = error.code === 'ENOSPC' || error.code === 'EDQUOT';
  return new DciError('run-record-unwritable', `cannot write the run record: ${path}: ${describeFsError(error)}`, {
    hint: full
      ? `free space on the file system holding ${stateDir} (or point DCI_AGENT_TS_STATE_DIR / dci_runs_dir to a larger one); summary.json keeps its last complete version`
      : `check that ${stateDir} is writable by this user (or point DCI_AGENT_TS_STATE_DIR / dci_runs_dir elsewhere)`,
    exitCode: 1,
    cause: error,
  });
}

function latestRunOf(runsDir: string, cluster: string): { dir: string; summary: RunSummary } | null {
  const runs = listRuns(runsDir).filter((r) => r.cluster === cluster);
  if (!runs.length) return null;
  return { dir: join(runsDir, runs[0].runId), summary: runs[0] };
}

/** The package's built-in playbooks folder. */
export function defaultPlaybooksDir(fromUrl: string): string {
  // src/pipeline or dist/pipeline → package root is two levels up.
  return resolve(new URL('.', fromUrl).pathname, '..', '..', 'playbooks');
}
