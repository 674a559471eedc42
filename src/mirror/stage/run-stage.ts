/**
 * The mirror-images stage as a library: read the release payload and the catalogs, plan every copy (release
 * components by digest with `oc adm release mirror` tags, kept bundles and related images, additional images),
 * copy them with the copy engine, rebuild and push the pruned catalogs, then build the mirror sets, CatalogSources
 * and install-config sources for the version. Three ways to run:
 *  - `registry` (default): copy to `dci_local_registry`;
 *  - `layout`: an OCI layout stands for the registry (the demo; mapping names still say the registry);
 *  - `to-disk`: copy every *source* image into an archive layout (air gap), plus refs.json; nothing is built.
 * Sources are read from the registries, or from an archive made by to-disk (`from-disk`).
 */
import { MirrorSetError, PayloadError } from '../../core/errors.js';
import type { MirrorEvent } from '../../core/events.js';
import type { RegistryClient } from '../registry/client.js';
import { TransportSet } from '../transports.js';
import { summarizeReport } from '../copy/report.js';
import type { CopyReport } from '../copy/report.js';
import { readReleaseImage } from '../release/open-release.js';
import { planReleaseMirror, releaseArchFor, type ReleaseMapping } from '../release/plan.js';
import { checkReleaseMirrored } from '../release/completeness.js';
import { readCatalog, rebuildCatalog } from '../catalog/open-catalog.js';
import { filterCatalog } from '../catalog/filter.js';
import { filterConfigFromDci } from '../catalog/dci-config.js';
import { catalogImages } from '../catalog/related-images.js';
import { catalogImageDestination, planCatalogMirror, prunedCatalogDestination } from '../catalog/plan.js';
import { buildMirrorSets, collectMirrorSets, type MirrorMapping, type MirrorSetBuild } from '../../manifests/build-mirror-sets.js';
import { installConfigSources, releaseMirrorEntries } from '../../manifests/install-config.js';
import { buildCatalogSource, buildOperatorHub, catalogSourceNameV2, type CatalogSource } from '../../manifests/catalog-source.js';
import { renderRegistriesConf } from '../../manifests/registries-conf.js';
import type { MirrorStageSettings } from './settings.js';
import { layoutLocation, layoutTag, type BaseSet } from './layout-store.js';
import { copyGroups, imageDigests, type CopyGroup } from './copy-groups.js';
import type { MirrorStageSummary } from './group-tally.js';
import { premountBaseBlobs } from './base-blobs.js';
import { findBaseManifest, refusedHint } from './base-search.js';
import { withExternalBlobs } from '../oci-layout/layout.js';

export type StageDestination = { kind: 'registry' } | { kind: 'layout'; dir: string } | { kind: 'to-disk'; dir: string };

export interface RunMirrorStageOptions {
  client: RegistryClient;
  /** reference → location to read it from (registry, or an archive made by to-disk). */
  resolveSource: (ref: string) => string;
  destination: StageDestination;
  onEvent?: (e: MirrorEvent) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Report only what would be copied (check mode): reads sources, copies nothing. */
  dryRun?: boolean;
  /**
   * Incremental archives. to-disk: what these base archives hold is not written again. from-disk: what the
   * archive's bases held must already be in the registry (else: "import archive X first").
   */
  bases?: BaseSet;
  /** from-disk: whether the archive itself holds a reference (else it may come from a base). */
  sourceHas?: (ref: string) => boolean;
}

export interface MirroredCatalog {
  source: string;
  destination: string;
  digest?: string;
  packages: string[];
  catalogSource?: CatalogSource;
}

export interface MirrorStageResult {
  /** Every source → destination pair, in plan order (mapping.txt). */
  mapping: MirrorMapping[];
  release?: { image: string; digest: string; version: string; destination: string; skipped: boolean; components: number };
  catalogs: MirroredCatalog[];
  build?: MirrorSetBuild;
  installConfig?: Record<string, unknown>;
  registriesConf?: string;
  operatorHub?: Record<string, unknown>;
  copy?: CopyReport;
  /** refs.json entries written (to-disk and layout modes). */
  layoutRefs: Record<string, string>;
  /** reference → manifest digest of every image copied or found (to-disk: the archive's content manifest). */
  archiveDigests: Record<string, string>;
  /** Per group and in total: images, bytes, time, skipped (also sent as the last mirror-report event). */
  summary?: MirrorStageSummary;
  warnings: string[];
  notes: string[];
}

function stripDocker(ref: string): string {
  return ref.replace(/^docker:\/\//, '');
}

/** `quay.io/ns/name:tag` → `name:tag` (group labels). */
function shortName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** Whether a source image is (still) the digest a base archive recorded for it. */
async function sameDigest(transports: TransportSet, location: string, digest: string): Promise<boolean> {
  const src = transports.source(location);
  if (src.digest) return src.digest === digest;
  return (await src.transport.headManifest(src.tag ?? 'latest'))?.digest === digest;
}

function destinationLocation(dest: StageDestination, destinationRef: string, sourceRef: string): string {
  if (dest.kind === 'registry') return `docker://${destinationRef}`;
  if (dest.kind === 'layout') return layoutLocation(dest.dir, destinationRef);
  return layoutLocation(dest.dir, sourceRef);
}

export async function runMirrorStage(s: MirrorStageSettings, o: RunMirrorStageOptions): Promise<MirrorStageResult> {
  const transports = new TransportSet(o.client);
  const result: MirrorStageResult = { mapping: [], catalogs: [], layoutRefs: {}, archiveDigests: {}, warnings: [], notes: [] };
  const log = o.log ?? (() => undefined);
  const contentTarget = { localRegistry: s.localRegistry, localRepo: s.contentRepoPrefix };
  /** Copy group of each mapping entry (same index). */
  const groupOf: string[] = [];
  /** Source location handed to the engine → the reference it stands for. */
  const refOfLocation = new Map<string, string>();
  try {
    // 1. Release payload.
    let releaseMappings: ReleaseMapping[] = [];
    let releaseComplete = false;
    if (s.releaseImage) {
      log(`reading the release payload ${s.releaseImage}`);
      const payload = await readReleaseImage(o.resolveSource(s.releaseImage), { transports });
      const releaseRepo = stripDocker(s.releaseImage).replace(/[@:][^/]*$/, '');
      const source = `${releaseRepo}@${payload.digest}`;
      releaseMappings = planReleaseMirror(source, payload.imageReferences, {
        localRegistry: s.localRegistry,
        localRepo: s.localRepo,
        version: payload.imageReferences.version || s.version,
        arch: releaseArchFor(payload),
        releaseDigest: payload.digest,
      });
      if (o.destination.kind === 'registry' && !s.force) {
        const check = await checkReleaseMirrored(releaseMappings, async (d) => (await transports.destination(`docker://${d}`).transport.headManifest(d.slice(d.lastIndexOf(':') + 1)))?.digest, {
          releaseDigest: payload.digest,
        });
        releaseComplete = check.complete;
      }
      result.release = {
        image: s.releaseImage,
        digest: payload.digest,
        version: payload.imageReferences.version || s.version,
        destination: releaseMappings[0].destination,
        skipped: releaseComplete,
        components: payload.imageReferences.components.length,
      };
      for (const m of releaseMappings) {
        result.mapping.push({ source: m.source, destination: m.destination, type: m.type });
        groupOf.push('release');
      }
      // The original tag reference also maps to the release (oc's mapping lists the image as given).
      if (stripDocker(s.releaseImage) !== source && o.destination.kind === 'to-disk') {
        result.layoutRefs[stripDocker(s.releaseImage)] = layoutTag(source);
        result.archiveDigests[stripDocker(s.releaseImage)] = payload.digest;
      }
    }

    // 2. Operator catalogs: filter, plan their images; the pruned image is built after the copies.
    const catalogWork: Array<{ image: string; fbc: Awaited<ReturnType<typeof readCatalog>>['fbc']; destination: string; name?: string; packages: string[] }> = [];
    for (const c of s.catalogs) {
      log(`reading the catalog ${c.image}`);
      const catalog = await readCatalog(o.resolveSource(c.image), { transports });
      let fbc = catalog.fbc;
      if (c.filtered) {
        const config = filterConfigFromDci({ ...s.filterVars, catalogSourceName: c.catalogSourceName, catalogImage: c.image, versions: s.catalogVersions });
        const filtered = filterCatalog(catalog.fbc, config, { continueOnMissing: s.continueOnError });
        result.warnings.push(...filtered.warnings);
        if (filtered.missingPackages.length && !s.continueOnError) {
          throw new PayloadError('catalog-missing-packages', `${c.image} does not have the packages ${filtered.missingPackages.join(', ')}`, {
            hint: 'check the names in dci_operators / opm_mirror_list against the catalog, or set dci_continue_on_mirror_error: true to mirror the rest',
          });
        }
        fbc = filtered.catalog;
      }
      const images = catalogImages(fbc);
      for (const m of planCatalogMirror(images, contentTarget)) {
        result.mapping.push({ source: m.source, destination: m.destination, type: m.type });
        groupOf.push(`catalog ${shortName(stripDocker(c.image))}`);
      }
      const destination = prunedCatalogDestination(stripDocker(c.image), contentTarget);
      catalogWork.push({ image: stripDocker(c.image), fbc, destination, name: c.catalogSourceName, packages: fbc.packages.map((p) => p.name).sort() });
    }

    // 3. Additional images, as they are (tag or digest).
    for (const image of s.additionalImages) {
      result.mapping.push({ source: stripDocker(image), destination: catalogImageDestination(stripDocker(image), contentTarget), type: 'generic' });
      groupOf.push('additional images');
    }

    // 4. Copy, group by group (release, each catalog, additional images).
    const groups = new Map<string, CopyGroup>();
    const groupFor = (name: string): CopyGroup => {
      let g = groups.get(name);
      if (!g) {
        g = { name, pairs: [], skipped: 0 };
        groups.set(name, g);
      }
      return g;
    };
    const bases = o.bases;
    const metadataRefs = new Set<string>([...(result.release ? [releaseMappings[0]?.source] : []), ...catalogWork.map((c) => c.image)].filter((x): x is string => !!x));
    const seen = new Set<string>();
    let carriedByBase = 0;
    /** from-disk: registry locations of the images a base archive brought (they hold the base's blobs). */
    const baseImages: string[] = [];
    for (const [i, m] of result.mapping.entries()) {
      const g = groupFor(groupOf[i]);
      if (m.type === 'release' || m.type === 'releaseContent') {
        if (releaseComplete) {
          g.skipped++;
          continue;
        }
      }
      const key = o.destination.kind === 'to-disk' ? m.source : `${m.source}=${m.destination}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const held = bases?.refOwner.get(m.source);
      if (held && !metadataRefs.has(m.source)) {
        if (o.destination.kind === 'to-disk') {
          // An incremental archive: the image is in a base archive (same digest): not carried again.
          if (await sameDigest(transports, o.resolveSource(m.source), held.digest)) {
            g.skipped++;
            carriedByBase++;
            result.archiveDigests[m.source] = held.digest;
            continue;
          }
        } else if (!o.sourceHas || !o.sourceHas(m.source)) {
          // from-disk of an incremental archive: the image came with a base archive, imported before this one.
          const d = transports.destination(destinationLocation(o.destination, m.destination, m.source));
          // The reference the copy engine would push to: the destination's own, else the source's tag or digest.
          const src = transports.source(`docker://${m.source}`);
          const head = await d.transport.headManifest(d.tag ?? d.digest ?? src.tag ?? src.digest ?? 'latest', o.signal);
          if (head?.digest !== held.digest) {
            // The base imported under other names (another local_repo / dci_mirror_repo_prefix): copied from there,
            // unless the destination holds something else (never overwritten on a guess).
            const found = head ? undefined : await findBaseManifest({ transports, registry: s.localRegistry, ref: m.source, digest: held.digest, signal: o.signal });
            if (found?.location) {
              const from = `${found.location}@${held.digest}`;
              g.pairs.push({ source: from, destination: destinationLocation(o.destination, m.destination, m.source) });
              refOfLocation.set(from, m.source);
              baseImages.push(from);
              continue;
            }
            const refused = found?.searched.refused ? `; ${refusedHint(s.localRegistry, found.searched.refused)}` : '';
            throw new PayloadError(
              'base-archive-not-imported',
              `${m.source}: manifest ${held.digest} is neither in this archive nor in the registry (${m.destination} ${head ? `is ${head.digest}` : 'is missing'}): it came with the base archive ${held.base.name}`,
              {
                hint: `import archive ${held.base.name} first (mirror from-disk --archive ${held.base.name}), then this one${refused}`,
                location: { image: m.source, blob: held.digest },
              },
            );
          }
          baseImages.push(`docker://${stripDocker(m.destination).replace(/[@:][^/]*$/, '')}@${held.digest}`);
          g.skipped++;
          continue;
        }
      }
      const destination = destinationLocation(o.destination, m.destination, m.source);
      const source = o.resolveSource(m.source);
      g.pairs.push({ source, destination });
      refOfLocation.set(source, m.source);
      if (o.destination.kind !== 'registry') result.layoutRefs[o.destination.kind === 'to-disk' ? m.source : m.destination] = destination.slice(destination.lastIndexOf(':') + 1);
    }
    if (o.destination.kind === 'to-disk') {
      // The catalogs travel whole: from-disk filters them again with the jumphost's settings.
      for (const c of catalogWork) {
        const destination = layoutLocation(o.destination.dir, c.image);
        const source = o.resolveSource(c.image);
        groupFor(`catalog ${shortName(c.image)}`).pairs.push({ source, destination });
        refOfLocation.set(source, c.image);
        result.layoutRefs[c.image] = layoutTag(c.image);
      }
    }
    const work = [...groups.values()];
    const toCopy = work.reduce((n, g) => n + g.pairs.length, 0);
    if (o.dryRun) {
      result.notes.push(`check mode: ${toCopy} images would be copied`);
    } else {
      let external = new Set<string>();
      if (o.destination.kind === 'to-disk' && bases) {
        // What a base archive holds is not written again, except the release and catalog images themselves:
        // from-disk reads them to plan, so every archive carries them whole.
        const carried = new Set<string>();
        for (const ref of metadataRefs) for (const d of await imageDigests(transports, o.resolveSource(ref))) carried.add(d);
        external = new Set([...bases.blobOwner.keys()].filter((d) => !carried.has(d)));
      }
      if (o.destination.kind === 'registry' && bases && o.sourceHas) {
        const pairs = work.flatMap((g) => g.pairs.map((p) => ({ ...p, ref: refOfLocation.get(p.source) ?? p.source })));
        // Where an import of a base archive put a reference: its content repository, or the release repository.
        const releaseRepo = [s.localRegistry.replace(/\/+$/, ''), s.localRepo.replace(/^\/+|\/+$/g, '')].filter(Boolean).join('/');
        const baseLocations = (ref: string): string[] => [`docker://${catalogImageDestination(ref, contentTarget).replace(/[@:][^/]*$/, '')}`, `docker://${releaseRepo}`];
        const mounted = await premountBaseBlobs({ transports, bases, pairs, baseImages, baseLocations, registry: s.localRegistry, signal: o.signal });
        if (mounted.blobs) log(`${mounted.blobs} blobs of the base archive(s) mounted from other repositories of ${s.localRegistry}`);
        if (mounted.manifests) log(`${mounted.manifests} child manifests of the base archive(s) pushed from other repositories of ${s.localRegistry}`);
      }
      const run = () => copyGroups(work, { client: o.client, onEvent: o.onEvent, signal: o.signal, log });
      const copied = o.destination.kind === 'to-disk' && external.size ? await withExternalBlobs(o.destination.dir, external, run) : await run();
      result.copy = copied.report;
      result.summary = copied.summary;
      for (const line of summarizeReport(result.copy)) log(line);
      for (const r of result.copy.results) {
        const ref = refOfLocation.get(r.source);
        if (ref && r.digest) result.archiveDigests[ref] = r.digest;
      }
      if (bases && result.copy.failures.length) {
        // A blob the archive does not hold (its base does) and the registry does not have yet.
        for (const f of result.copy.failures) {
          const digests = [f.blob, ...(f.message.match(/sha256:[a-f0-9]{64}/g) ?? [])].filter((x): x is string => !!x);
          const owned = digests.map((d) => ({ d, base: bases.blobOwner.get(d) })).find((x) => x.base);
          if (owned?.base) {
            const image = refOfLocation.get(f.source) ?? f.source;
            throw new PayloadError('base-archive-not-imported', `${image}: blob ${owned.d} is neither in this archive nor in the registry ${s.localRegistry}: it came with the base archive ${owned.base.name}`, {
              hint: `import archive ${owned.base.name} first (mirror from-disk --archive ${owned.base.name}), then this one`,
              location: { image, blob: owned.d },
            });
          }
        }
      }
      if (result.copy.failures.length && !s.continueOnError) {
        const f = result.copy.failures[0];
        throw new PayloadError(f.code, `${result.copy.failures.length} of ${toCopy} images failed to mirror; first: ${f.message}`, {
          hint: 'fix the cause and run again (what was copied is kept and skipped), or set dci_continue_on_mirror_error: true',
          location: { image: f.source, ...(f.blob ? { blob: f.blob } : {}) },
          // A copy that ran and failed is a failed stage (1), not bad input (2): the README's exit codes.
          exitCode: 1,
        });
      }
      for (const f of result.copy.failures) result.warnings.push(`not mirrored: ${f.message}`);
    }
    if (carriedByBase) result.notes.push(`${carriedByBase} images not written: already in the base archive(s) ${bases?.entries.map((b) => b.name).join(', ')}`);

    if (o.destination.kind === 'to-disk') {
      result.notes.push(`archive: ${Object.keys(result.layoutRefs).length} references in ${o.destination.dir}`);
      return result;
    }

    // 5. Pruned catalogs, pushed after their content.
    for (const c of catalogWork) {
      const destination = o.destination.kind === 'registry' ? `docker://${c.destination}` : layoutLocation(o.destination.dir, c.destination);
      let digest: string | undefined;
      if (!o.dryRun) {
        log(`building the pruned catalog ${c.destination} (${c.packages.length} packages)`);
        const rebuilt = await rebuildCatalog({ transports, source: o.resolveSource(c.image), destination, fbc: c.fbc });
        digest = rebuilt.digest;
        if (o.destination.kind === 'layout') result.layoutRefs[c.destination] = layoutTag(c.destination);
      }
      const catalogSource = buildCatalogSource({ image: c.destination, name: c.name ?? catalogSourceNameV2(c.destination), displayName: `Mirrored ${c.image.slice(c.image.lastIndexOf('/') + 1)}` });
      result.catalogs.push({ source: c.image, destination: c.destination, digest, packages: c.packages, catalogSource });
      result.mapping.push({ source: c.image, destination: c.destination, type: 'operatorCatalog' });
    }

    // 6. Mirror sets for the version, install-config sources, registries.conf as the nodes will see it.
    const forSets = result.mapping.filter((m) => m.type !== 'operatorCatalog');
    if (forSets.length) {
      result.build = buildMirrorSets(forSets, { version: s.version, kind: s.kind, neverContactSource: s.neverContactSource });
      result.warnings.push(...result.build.warnings);
      result.installConfig = installConfigSources(releaseMirrorEntries(result.build), { version: s.version, additionalTrustBundle: s.trustBundle }) as Record<string, unknown>;
      const sets = collectMirrorSets(result.build.objects);
      result.registriesConf = renderRegistriesConf({ idms: sets.idms, itms: sets.itms, icsp: sets.icsp, style: sets.icsp.length && !sets.idms.length ? 'legacy' : 'current' });
    }
    if (s.disableDefaultSources && result.catalogs.length) result.operatorHub = buildOperatorHub(true) as unknown as Record<string, unknown>;
    if (result.release) {
      result.notes.push(
        result.release.skipped
          ? `release ${result.release.version}: already complete at ${result.release.destination} (${result.release.components} components; HEAD checks only)`
          : `release ${result.release.version}: ${result.release.components} components mirrored to ${result.release.destination}`,
      );
    }
    for (const c of result.catalogs) result.notes.push(`catalog ${c.source} → ${c.destination} (${c.packages.length} packages: ${c.packages.join(', ') || 'none'})`);
    if (s.additionalImages.length) result.notes.push(`${s.additionalImages.length} additional images mirrored`);
    if (result.build) result.notes.push(`mirror sets: ${result.build.decision.kind.toUpperCase()} — ${result.build.decision.reason}`);
    return result;
  } catch (e) {
    if (e instanceof MirrorSetError || e instanceof PayloadError) throw e;
    throw e;
  } finally {
    await transports.close();
  }
}
