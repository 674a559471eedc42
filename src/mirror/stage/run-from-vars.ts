/**
 * The mirror-images stage from a lab's variables: build the registry client from the lab's settings (pull secret,
 * registry CA, insecure/plain-HTTP registries), run the stage, write its outputs. Shared by the `mirror_images`
 * module and the `mirror images|to-disk|from-disk` commands so both do exactly the same thing.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MirrorEvent } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { SettingsError } from '../../core/errors.js';
import { RegistryClient } from '../registry/client.js';
import { mirrorStageSettings, type MirrorStageSettings } from './settings.js';
import { runMirrorStage, type MirrorStageResult, type StageDestination } from './run-stage.js';
import { sourceResolver, writeLayoutRefs } from './layout-store.js';
import { writeStageOutputs, type WrittenOutputs } from './outputs.js';

export interface MirrorFromVarsOptions {
  vars: Record<string, unknown>;
  outDir: string;
  destination: StageDestination;
  /** Read sources from this archive (from-disk, demo) instead of the registries. */
  sourceArchive?: string;
  secrets?: SecretRegistry;
  onEvent?: (e: MirrorEvent) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  dryRun?: boolean;
}

export interface MirrorFromVarsResult {
  settings: MirrorStageSettings;
  result: MirrorStageResult;
  outputs?: WrittenOutputs;
  /** Facts later stages read. */
  facts: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
const truthy = (v: unknown) => v === true || (typeof v === 'string' && /^(true|yes|on|1)$/i.test(v));

export function registryClientFromVars(vars: Record<string, unknown>, secrets?: SecretRegistry): RegistryClient {
  const registry = str(vars.dci_local_registry);
  const authFile = str(vars.dci_pullsecret_file) ?? str(vars.pullsecret_file);
  const caFile = str(vars.dci_local_registry_ca_file) ?? str(vars.registry_ca_file);
  if (caFile && !existsSync(caFile)) throw new SettingsError('no-ca-file', `the registry CA file ${caFile} does not exist`, { hint: 'set dci_local_registry_ca_file to the PEM file of the CA that signed the registry certificate' });
  const insecure = Array.isArray(vars.dci_insecure_registries) ? vars.dci_insecure_registries.filter((x): x is string => typeof x === 'string') : [];
  const plainHttp = Array.isArray(vars.dci_plain_http_registries) ? vars.dci_plain_http_registries.filter((x): x is string => typeof x === 'string') : [];
  if (registry && truthy(vars.dci_local_registry_insecure)) insecure.push(registry);
  if (registry && truthy(vars.dci_local_registry_plain_http)) plainHttp.push(registry);
  return new RegistryClient({
    authFile: authFile && existsSync(authFile) ? authFile : undefined,
    caFiles: registry && caFile ? { [registry]: caFile } : undefined,
    insecure,
    plainHttp,
    secrets,
    userAgent: 'dci-agent-ts',
  });
}

export async function mirrorImagesFromVars(o: MirrorFromVarsOptions): Promise<MirrorFromVarsResult> {
  const vars = { ...o.vars };
  const caFile = str(vars.dci_local_registry_ca_file) ?? str(vars.registry_ca_file);
  if (caFile && existsSync(caFile) && vars.dci_registry_ca_pem === undefined) vars.dci_registry_ca_pem = readFileSync(caFile, 'utf8');
  const settings = mirrorStageSettings(vars);
  const client = registryClientFromVars(vars, o.secrets);
  try {
    const result = await runMirrorStage(settings, {
      client,
      resolveSource: sourceResolver(o.sourceArchive ? resolve(o.sourceArchive) : undefined),
      destination: o.destination,
      onEvent: o.onEvent,
      log: o.log,
      signal: o.signal,
      dryRun: o.dryRun,
    });
    if (o.destination.kind !== 'registry' && !o.dryRun) {
      await writeLayoutRefs(o.destination.dir, { format: 'dci-agent-ts/layout-refs@1', refs: result.layoutRefs, createdAt: new Date().toISOString() });
    }
    const outputs = o.dryRun ? undefined : await writeStageOutputs(o.outDir, result);
    const releaseDigestRef = result.release ? `${result.release.destination.replace(/:[^:/]+$/, '')}@${result.release.digest}` : undefined;
    const facts: Record<string, unknown> = {
      dci_mirror_dir: o.outDir,
      dci_mirror_mapping_file: outputs ? resolve(o.outDir, 'mapping.txt') : undefined,
      dci_mirror_sets_dir: outputs?.clusterResourcesDir,
      dci_mirror_set_files: outputs?.mirrorSetFiles.map((f) => resolve(outputs.clusterResourcesDir, f)) ?? [],
      dci_catalog_source_files: outputs?.catalogSourceFiles.map((f) => resolve(outputs.clusterResourcesDir, f)) ?? [],
      dci_mirror_install_config_sources: result.installConfig ?? {},
      dci_mirror_trust_bundle: settings.trustBundle ?? '',
      dci_mirror_release_image: releaseDigestRef,
      dci_mirror_registries_conf: result.registriesConf ?? '',
      dci_mirror_set_kind: result.build?.decision.kind,
      dci_mirror_set_reason: result.build?.decision.reason,
      dci_mirrored_catalogs: result.catalogs.map((c) => ({ source: c.source, destination: c.destination, catalog_source: c.catalogSource?.metadata.name, packages: c.packages })),
    };
    for (const k of Object.keys(facts)) if (facts[k] === undefined) delete facts[k];
    return { settings, result, outputs, facts };
  } finally {
    await client.close();
  }
}
