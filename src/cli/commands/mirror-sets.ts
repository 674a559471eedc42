/**
 * `dci-agent-ts mirror-sets …`: render IDMS/ITMS/ICSP from a mirroring mapping, render the nodes'
 * registries.conf from mirror-set files, tell where a pull goes, and migrate ICSP to IDMS. The builders
 * live in src/manifests and are loaded only when a subcommand runs.
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import type { CliIO } from '../main.js';
import type { CliCommand } from './index.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

async function writeOut(dir: string, files: Array<[string, string]>, io: CliIO): Promise<void> {
  const { mkdir } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { writeFileAtomic } = await import('../../core/atomic-write.js');
  await mkdir(dir, { recursive: true });
  for (const [name, text] of files) {
    await writeFileAtomic(join(dir, name), text);
    io.stdout(`wrote ${join(dir, name)}\n`);
  }
}

function registerRender(group: Command, io: CliIO): void {
  group
    .command('render')
    .description('build ImageDigestMirrorSet / ImageTagMirrorSet / ImageContentSourcePolicy objects from a mirroring mapping')
    .requiredOption('--mapping <file>', 'mapping file: oc mapping.txt lines "source=destination", or YAML/JSON [{source, destination, category?, type?}]')
    .requiredOption('--version <version>', 'OpenShift version of the target cluster (4.14, 4.14.0-rc.2, 4.16.0-0.nightly-…)')
    .option('--kind <kind>', 'auto (ICSP < 4.14, IDMS+ITMS ≥ 4.14), idms, icsp or itms', 'auto')
    .option('--never-contact-source', 'set mirrorSourcePolicy: NeverContactSource on every IDMS/ITMS entry')
    .option('--scope <scope>', 'auto (namespace when the destination keeps the source path) or repository', 'auto')
    .option('--ca-file <file>', 'registry CA (PEM) for the install-config additionalTrustBundle written with --out')
    .option('--out <dir>', 'write one file per object (and install-config-mirrors.yaml) into this directory instead of printing')
    .addHelpText('after', '\nExample:\n  dci-agent-ts mirror-sets render --mapping mapping.txt --version 4.16 --out manifests/')
    .action(async (opts: { mapping: string; version: string; kind: string; neverContactSource?: boolean; scope: string; caFile?: string; out?: string }) => {
      if (!['auto', 'idms', 'icsp', 'itms'].includes(opts.kind)) throw new UsageError('invalid-kind', `--kind ${opts.kind}: use auto, idms, icsp or itms`);
      if (!['auto', 'repository'].includes(opts.scope)) throw new UsageError('invalid-scope', `--scope ${opts.scope}: use auto or repository`);
      const m = await import('../../manifests/index.js');
      const { loadMappingFile } = await import('../../manifests/loaders.js');
      const mapping = await loadMappingFile(opts.mapping);
      if (mapping.length === 0) throw new UsageError('empty-mapping', `${opts.mapping}: the mapping has no entries`, { hint: 'give the mapping the mirroring stage wrote' });
      const build = m.buildMirrorSets(mapping, {
        version: opts.version,
        kind: opts.kind as 'auto',
        neverContactSource: opts.neverContactSource === true,
        scope: opts.scope as 'auto' | 'repository',
      });
      io.stderr(`mirror-set kind: ${build.decision.kind}${build.decision.tagMirrors ? ' (+ itms for tag content)' : ''} — ${build.decision.reason}\n`);
      for (const w of build.warnings) io.stderr(`warning: ${w}\n`);
      if (build.objects.length === 0) io.stderr('no mirror sets needed: every entry is a catalog, the update graph, or mirrored onto itself\n');
      if (!opts.out) {
        io.stdout(m.toYaml(build.objects));
        return;
      }
      let ca: string | undefined;
      if (opts.caFile) {
        const { readFile } = await import('node:fs/promises');
        const text = await readFile(opts.caFile, 'utf8').catch((e: NodeJS.ErrnoException) => {
          throw new UsageError('unreadable-ca', `cannot read --ca-file ${opts.caFile}: ${e.code ?? e.message}`);
        });
        ca = m.pemTrustBundle(text, { file: opts.caFile, hint: "give --ca-file the PEM file of the mirror registry's CA certificate (-----BEGIN CERTIFICATE----- blocks), or leave --ca-file out" });
      }
      const files: Array<[string, string]> = build.objects.map((o) => [`${o.metadata.name}.yaml`, m.toYaml([o])]);
      const release = m.releaseMirrorEntries(build);
      if (release.length > 0 || ca !== undefined) {
        const fragment = m.installConfigSources(release, { version: opts.version, additionalTrustBundle: ca });
        files.push(['install-config-mirrors.yaml', m.toYaml([fragment])]);
      }
      await writeOut(opts.out, files, io);
    });
}

function registerRegistriesConf(group: Command, io: CliIO): void {
  group
    .command('registries-conf')
    .description("render the nodes' /etc/containers/registries.conf from mirror-set files, as the machine-config-operator does")
    .argument('<files...>', 'YAML files with ImageDigestMirrorSet, ImageTagMirrorSet and ImageContentSourcePolicy objects')
    .option('--insecure <scope>', 'insecure registry scope (images.config registrySources.insecureRegistries); repeatable', collect, [])
    .option('--blocked <scope>', 'blocked registry scope (registrySources.blockedRegistries); repeatable', collect, [])
    .option('--legacy', 'OpenShift ≤ 4.12 form: mirror-by-digest-only on the entry (ICSP only)')
    .option('--version <version>', 'OpenShift version of the nodes: picks the ≤ 4.12 form and checks the kinds it understands')
    .addHelpText('after', '\nExample:\n  dci-agent-ts mirror-sets registries-conf idms-release-0.yaml itms-release-0.yaml --version 4.16')
    .action(async (files: string[], opts: { insecure: string[]; blocked: string[]; legacy?: boolean; version?: string }) => {
      const m = await import('../../manifests/index.js');
      const { loadMirrorSetFiles } = await import('../../manifests/loaders.js');
      const sets = m.collectMirrorSets(await loadMirrorSetFiles(files));
      const input = { ...sets, insecureRegistries: opts.insecure, blockedRegistries: opts.blocked };
      m.assertMirrorConfigValid(input, files.join(', '));
      const hasNew = sets.idms.length > 0 || sets.itms.length > 0;
      let legacy = opts.legacy === true;
      if (opts.version !== undefined) {
        const caps = m.versionCapabilities(opts.version);
        if (!caps.imageDigestMirrorSetAvailable && hasNew) {
          throw new UsageError('kind-not-available', `OpenShift ${opts.version} has no ImageDigestMirrorSet/ImageTagMirrorSet API: its nodes only get ImageContentSourcePolicy mirrors`, {
            hint: 'convert the objects to ImageContentSourcePolicy or give the right --version',
          });
        }
        if (caps.icspRegistriesConfStyle === 'mirror-by-digest-only') legacy = true;
        if (caps.icspTogetherWithIdmsOrItms === 'rejected-on-early-z-streams' && hasNew && sets.icsp.length > 0) {
          io.stderr(`warning: on early ${opts.version} z-streams the machine-config-operator refuses ImageContentSourcePolicy together with IDMS/ITMS; migrate the ICSPs (mirror-sets migrate-icsp)\n`);
        }
      }
      if (legacy && hasNew) {
        throw new UsageError('legacy-with-idms', 'the ≤ 4.12 registries.conf form only knows ImageContentSourcePolicy objects', { hint: 'drop --legacy or give only ICSP files' });
      }
      try {
        io.stdout(m.renderRegistriesConf({ ...input, style: legacy ? 'legacy' : 'current' }));
      } catch (e) {
        if (e instanceof m.NestedScopeError) {
          throw new UsageError('mco-render-error', `the machine-config-operator would stop on this configuration: ${e.message}`, { hint: 'do not combine a wildcard (*.domain) mirror source with insecure/blocked scopes or sources under it' });
        }
        throw e;
      }
    });
}

function registerResolve(group: Command, io: CliIO): void {
  group
    .command('resolve')
    .description('list the locations CRI-O tries, in order, for an image pull spec')
    .argument('<image>', 'pull spec, e.g. quay.io/ns/repo@sha256:… or quay.io/ns/repo:tag')
    .option('--sets <files...>', 'mirror-set YAML files (IDMS/ITMS/ICSP)')
    .option('--registries-conf <file>', 'a registries.conf file instead of mirror sets')
    .option('--insecure <scope>', 'insecure registry scope with --sets; repeatable', collect, [])
    .option('--blocked <scope>', 'blocked registry scope with --sets; repeatable', collect, [])
    .option('--output <format>', 'text or json', 'text')
    .addHelpText('after', '\nExample:\n  dci-agent-ts mirror-sets resolve quay.io/openshift-release-dev/ocp-release@sha256:… --sets idms-release-0.yaml --output json')
    .action(async (image: string, opts: { sets?: string[]; registriesConf?: string; insecure: string[]; blocked: string[]; output: string }) => {
      if (!['text', 'json'].includes(opts.output)) throw new UsageError('invalid-output', `--output ${opts.output}: use text or json`);
      if ((opts.sets === undefined) === (opts.registriesConf === undefined)) {
        throw new UsageError('resolve-source', 'give either --sets FILE... or --registries-conf FILE (exactly one)');
      }
      const m = await import('../../manifests/index.js');
      const loaders = await import('../../manifests/loaders.js');
      let result;
      if (opts.registriesConf !== undefined) {
        result = m.resolvePullSources(image, await loaders.loadRegistriesConfFile(opts.registriesConf));
      } else {
        const sets = m.collectMirrorSets(await loaders.loadMirrorSetFiles(opts.sets!));
        const input = { ...sets, insecureRegistries: opts.insecure, blockedRegistries: opts.blocked };
        m.assertMirrorConfigValid(input, opts.sets!.join(', '));
        result = m.resolvePullSourcesFromMirrorSets(image, input);
      }
      if (opts.output === 'json') {
        io.stdout(JSON.stringify(result, null, 2) + '\n');
        return;
      }
      io.stdout(`${result.normalized} (${result.digested ? 'digest' : 'tag'} pull)\n`);
      io.stdout(result.matched ? `entry: ${result.matched.prefix}${result.matched.blocked ? ' [blocked]' : ''}\n` : 'entry: none\n');
      result.locations.forEach((l, i) => {
        io.stdout(`${i + 1}. ${l.reference}${l.insecure ? ' [insecure]' : ''}${l.blocked ? ' [blocked]' : ''} — ${l.why}\n`);
      });
      for (const s of result.skipped) io.stdout(`skipped ${s.location}: ${s.why}\n`);
    });
}

function registerMigrate(group: Command, io: CliIO): void {
  group
    .command('migrate-icsp')
    .description('convert ImageContentSourcePolicy objects to ImageDigestMirrorSet objects (like oc adm migrate icsp)')
    .argument('<files...>', 'YAML files with ImageContentSourcePolicy objects')
    .option('--out <dir>', 'write imagedigestmirrorset_<name>.yaml per input file instead of printing')
    .addHelpText('after', '\nExample:\n  dci-agent-ts mirror-sets migrate-icsp icsp.yaml > idms.yaml')
    .action(async (files: string[], opts: { out?: string }) => {
      const m = await import('../../manifests/index.js');
      const { loadYamlDocuments } = await import('../../manifests/loaders.js');
      const perFile: Array<[string, ReturnType<typeof m.migrateIcspToIdms>[]]> = [];
      for (const file of files) {
        const docs = await loadYamlDocuments(file, 'ICSP file');
        if (docs.length === 0) throw new UsageError('empty-file', `${file}: no ImageContentSourcePolicy objects found`);
        perFile.push([file, docs.map((d, i) => m.migrateIcspToIdms(d, `${file} document ${i + 1}`))]);
      }
      const all = perFile.flatMap(([, objs]) => objs);
      m.assertMirrorConfigValid(m.collectMirrorSets(all), 'migrated ImageDigestMirrorSets');
      if (!opts.out) {
        io.stdout(m.toYaml(all));
        return;
      }
      await writeOut(
        opts.out,
        perFile.map(([, objs]) => [`imagedigestmirrorset_${objs[0].metadata.name}.yaml`, m.toYaml(objs)]),
        io,
      );
    });
}

export const mirrorSetsCommand: CliCommand = {
  name: 'mirror-sets',
  register(program, io) {
    const group = program
      .command('mirror-sets')
      .description('IDMS/ITMS/ICSP mirror sets: render, registries.conf, resolve a pull, migrate ICSP')
      .addHelpText('after', '\nExamples:\n  dci-agent-ts mirror-sets render --mapping mapping.txt --version 4.16\n  dci-agent-ts mirror-sets resolve quay.io/ns/repo:tag --sets itms.yaml');
    registerRender(group, io);
    registerRegistriesConf(group, io);
    registerResolve(group, io);
    registerMigrate(group, io);
  },
};
