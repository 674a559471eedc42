/**
 * The files the mirror-images stage leaves for the lab (and later stages): mapping.txt (src=dst, the format oc
 * mapping files use), one YAML per mirror set (`idms-*.yaml`, `itms-*.yaml`, `icsp-*.yaml`), `catalogsource-*.yaml`,
 * `operatorhub.yaml` (those three also in `cluster-resources/`, ready for `oc apply -f`), `install-config-sources.yaml` (the install-config block for the version), `registries.conf`
 * (what the nodes will get) and `mirror-report.json`. Every file is written atomically.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../../core/atomic-write.js';
import { toYaml } from '../../manifests/yaml.js';
import type { MirrorStageResult } from './run-stage.js';

export interface WrittenOutputs {
  dir: string;
  /** `cluster-resources/`: only the objects to apply to the cluster (mirror sets, CatalogSources, OperatorHub). */
  clusterResourcesDir: string;
  files: string[];
  mirrorSetFiles: string[];
  catalogSourceFiles: string[];
}

export function mappingText(result: MirrorStageResult): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const m of result.mapping) {
    const line = `${m.source}=${m.destination}`;
    if (!seen.has(line)) lines.push(line);
    seen.add(line);
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}

export async function writeStageOutputs(dir: string, result: MirrorStageResult): Promise<WrittenOutputs> {
  const out: WrittenOutputs = { dir, clusterResourcesDir: join(dir, 'cluster-resources'), files: [], mirrorSetFiles: [], catalogSourceFiles: [] };
  const write = async (name: string, content: string, clusterResource = false) => {
    await writeFileAtomic(join(dir, name), content, { fsync: false });
    // Like oc-mirror's working-dir/cluster-resources: a folder that can be applied as a whole (`oc apply -f DIR`).
    if (clusterResource) await writeFileAtomic(join(out.clusterResourcesDir, name), content, { fsync: false });
    out.files.push(name);
    return name;
  };
  await write('mapping.txt', mappingText(result));
  for (const obj of result.build?.objects ?? []) {
    const prefix = obj.kind === 'ImageDigestMirrorSet' ? 'idms' : obj.kind === 'ImageTagMirrorSet' ? 'itms' : 'icsp';
    const name = String((obj.metadata as { name: string }).name);
    out.mirrorSetFiles.push(await write(`${name.startsWith(prefix) ? name : `${prefix}-${name}`}.yaml`, toYaml([obj as unknown as Record<string, unknown>]), true));
  }
  for (const c of result.catalogs) {
    if (c.catalogSource) out.catalogSourceFiles.push(await write(`catalogsource-${c.catalogSource.metadata.name}.yaml`, toYaml([c.catalogSource as unknown as Record<string, unknown>]), true));
  }
  if (result.operatorHub) await write('operatorhub.yaml', toYaml([result.operatorHub]), true);
  if (result.installConfig) await write('install-config-sources.yaml', toYaml([result.installConfig]));
  if (result.registriesConf) await write('registries.conf', result.registriesConf);
  await write(
    'mirror-report.json',
    JSON.stringify(
      {
        release: result.release,
        catalogs: result.catalogs.map(({ catalogSource: _cs, ...c }) => c),
        decision: result.build?.decision,
        copy: result.copy && { images: result.copy.images, blobs: result.copy.blobs, bytes: result.copy.bytes, durationMs: result.copy.durationMs },
        // Per image group (release, each catalog, additional images): images, copied, skipped, failed, bytes, time.
        summary: result.summary,
        warnings: result.warnings,
        notes: result.notes,
      },
      null,
      2,
    ) + '\n',
  );
  return out;
}
