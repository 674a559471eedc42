/**
 * The mirror-images stage from a lab's variables: build the registry client from the lab's settings (pull secret,
 * registry CA, insecure/plain-HTTP registries), run the stage, write its outputs. Shared by the `mirror_images`
 * module and the `mirror images|to-disk|from-disk` commands so both do exactly the same thing.
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { MirrorEvent } from '../../core/events.js';
import type { SecretRegistry } from '../../core/secrets.js';
import { SettingsError } from '../../core/errors.js';
import { ansibleBool } from '../../config/ansible-bool.js';
import { RegistryClient } from '../registry/client.js';
import { mirrorStageSettings, type MirrorStageSettings } from './settings.js';
import { runMirrorStage, type MirrorStageResult, type StageDestination } from './run-stage.js';
import { REFS_FILE, baseSet, isArchiveFile, layoutBlobs, newArchiveId, readArchiveRefs, readBaseArchives, readLayoutRefs, sourceResolver, writeLayoutRefs, type BaseSet, type LayoutRefs } from './layout-store.js';
import { rm } from 'node:fs/promises';
import { formatBytes } from '../copy/report.js';
import { writeStageOutputs, type WrittenOutputs } from './outputs.js';

export interface MirrorFromVarsOptions {
  vars: Record<string, unknown>;
  outDir: string;
  destination: StageDestination;
  /** Read sources from this archive (from-disk, demo) instead of the registries. */
  sourceArchive?: string;
  /** to-disk: earlier archives (folders or their refs.json); what they hold is not written again. */
  baseArchives?: string[];
  secrets?: SecretRegistry;
  onEvent?: (e: MirrorEvent) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  dryRun?: boolean;
  /** With dryRun: still write the outputs (mapping, mirror sets, CatalogSources) to outDir. `run --check` does, since
   * outDir is then inside the run record: the plan of what would be applied, with no change to the lab. */
  writeOutputsOnDryRun?: boolean;
}

export interface MirrorFromVarsResult {
  settings: MirrorStageSettings;
  result: MirrorStageResult;
  outputs?: WrittenOutputs;
  /** Facts later stages read. */
  facts: Record<string, unknown>;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : undefined);
/** Registry transport switches, read with ansible-core's boolean rule (anything else: off, as before). */
const truthy = (v: unknown): boolean => ansibleBool(v) === true;

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
  if (o.baseArchives?.length && o.destination.kind !== 'to-disk') throw new SettingsError('base-without-to-disk', 'base archives only make sense when writing an archive (mirror to-disk --base)');
  // Incremental archives: to-disk skips what the bases hold; from-disk expects what the archive's bases held.
  let bases: BaseSet | undefined = o.baseArchives?.length ? await readBaseArchives(o.baseArchives) : undefined;
  let sourceHas: ((ref: string) => boolean) | undefined;
  const sourceArchive = o.sourceArchive ? resolve(o.sourceArchive) : undefined;
  let sourceRefs: LayoutRefs | undefined;
  if (sourceArchive) {
    const refs = await readArchiveRefs(sourceArchive);
    sourceRefs = refs;
    if (refs.base?.length) bases = baseSet(refs.base);
    sourceHas = (ref) => Object.hasOwn(refs.refs, ref.replace(/^docker:\/\//, ''));
  }
  if (o.destination.kind === 'to-disk' && bases) {
    const self = resolve(o.destination.dir);
    const again = o.baseArchives?.find((b) => resolve(b) === self || resolve(b) === join(self, 'refs.json') || resolve(b) === `${self}.layout`);
    if (again) throw new SettingsError('base-is-archive', `--base ${again} is the archive being written`, { hint: 'write the new archive to another folder: it will hold only what the base does not' });
  }
  // `--archive FILE.tar`: the images go to a resumable folder next to it, packed into FILE at the end.
  const archiveFile = o.destination.kind === 'to-disk' && isArchiveFile(o.destination.dir) ? resolve(o.destination.dir) : undefined;
  const destination: StageDestination = archiveFile ? { kind: 'to-disk', dir: `${archiveFile}.layout` } : o.destination;
  const client = registryClientFromVars(vars, o.secrets);
  try {
    const result = await runMirrorStage(settings, {
      client,
      resolveSource: sourceResolver(sourceArchive, sourceRefs),
      destination,
      onEvent: o.onEvent,
      log: o.log,
      signal: o.signal,
      dryRun: o.dryRun,
      bases,
      sourceHas,
    });
    if (destination.kind !== 'registry' && !o.dryRun) {
      const dir = destination.dir;
      const archiveName = basename(archiveFile ?? dir);
      const previous = existsSync(join(dir, 'refs.json')) ? readLayoutRefs(dir) : undefined;
      const manifest: LayoutRefs = { format: 'dci-agent-ts/layout-refs@1', refs: result.layoutRefs, createdAt: new Date().toISOString() };
      if (destination.kind === 'to-disk') {
        // The content manifest: what is inside (references → digests, every blob) and which archives it extends.
        const digests: Record<string, string> = {};
        for (const ref of Object.keys(result.layoutRefs)) if (result.archiveDigests[ref]) digests[ref] = result.archiveDigests[ref];
        Object.assign(manifest, { id: previous?.id ?? newArchiveId(), name: archiveName, digests, blobs: layoutBlobs(dir) });
        if (bases?.entries.length) manifest.base = bases.entries;
      }
      await writeLayoutRefs(dir, manifest);
      if (archiveFile) {
        const { packLayout } = await import('../oci-layout/archive.js');
        await packLayout(dir, archiveFile, [REFS_FILE]);
        await rm(dir, { recursive: true, force: true });
      }
      if (destination.kind === 'to-disk') {
        const n = manifest.blobs?.length ?? 0;
        result.notes.push(`archive ${archiveName}: ${Object.keys(manifest.refs).length} images, ${n} blobs${bases?.entries.length ? `; extends ${bases.entries.map((b) => b.name).join(', ')} (import those first)` : ''}`);
      }
    }
    if (result.summary) {
      const sm = result.summary;
      result.notes.push(`copied ${sm.copied} of ${sm.images} images (${sm.skipped} already there${sm.failed ? `, ${sm.failed} failed` : ''}), ${formatBytes(sm.bytes)} in ${(sm.durationMs / 1000).toFixed(1)} s`);
    }
    const outputs = o.dryRun && !o.writeOutputsOnDryRun ? undefined : await writeStageOutputs(o.outDir, result);
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
