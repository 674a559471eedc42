/**
 * `mirror images`, `mirror to-disk`, `mirror from-disk`: the mirror-images stage's work on its own, from an
 * inventory (same settings, same code as the stage — see src/mirror/stage).
 */
import type { CliIO } from '../main.js';
import type { MirrorSubcommand } from './mirror.js';
import { collectRepeatable } from './options.js';

export interface MirrorStageFlags {
  inventory: string;
  extraVars: string[];
  out?: string;
  archive?: string;
  destination?: string;
  check?: boolean;
  base?: string[];
  output?: string;
}

function register(name: 'images' | 'to-disk' | 'from-disk', description: string, examples: string) {
  return (group: import('commander').Command, io: CliIO) => {
    const cmd = group
      .command(name)
      .description(description)
      .requiredOption('-i, --inventory <file>', 'the lab inventory (same variables as the pipeline)')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, @file.yml or JSON (repeatable)', collectRepeatable, [])
      .option('--output <kind>', 'progress: tty (live tree per image group) | plain (periodic lines) | jsonl (default: tty on a terminal, plain otherwise)');
    if (name !== 'to-disk') cmd.option('--out <dir>', 'where mapping.txt, the mirror sets, CatalogSources and install-config-sources.yaml go', 'mirror-out');
    if (name !== 'images') {
      cmd.requiredOption(
        '--archive <dir|file.tar>',
        name === 'to-disk' ? 'archive to write: a folder (an OCI layout + refs.json), or one FILE.tar of it' : 'archive made by `mirror to-disk` (folder or FILE.tar)',
      );
    }
    if (name === 'images') cmd.option('--check', 'read sources and plan, copy nothing');
    if (name === 'to-disk') {
      cmd.option(
        '--base <archive>',
        'an earlier archive (its folder, FILE.tar or refs.json) already imported in the lab: the new archive holds only what it does not (repeatable)',
        collectRepeatable,
        [],
      );
    }
    cmd.addHelpText('after', `\nExamples:\n${examples}`).action(async (flags: MirrorStageFlags) => {
      const { runMirrorStageCommand } = await import('../mirror-stage-action.js');
      await runMirrorStageCommand(name, flags, io);
    });
  };
}

export const mirrorImagesCommand: MirrorSubcommand = {
  name: 'images',
  register: register(
    'images',
    "mirror the release, pruned operator catalogs and additional images to the lab's registry and write the mirror sets",
    '  dci-agent-ts mirror images --inventory lab.yml --out ./mirror\n  dci-agent-ts mirror images -i lab.yml -e ocp_version=4.12.40 --check',
  ),
};

export const mirrorToDiskCommand: MirrorSubcommand = {
  name: 'to-disk',
  register: register(
    'to-disk',
    'on a connected host: write everything the lab needs (release, full catalogs, images) into an archive folder',
    '  dci-agent-ts mirror to-disk --inventory lab.yml --archive /mnt/usb/ocp-4.16.3\n' +
      '  # later: only what changed since (import the base archive first on the jumphost)\n' +
      '  dci-agent-ts mirror to-disk --inventory lab.yml --archive /mnt/usb/ocp-4.16.3-update1 --base /srv/archives/ocp-4.16.3',
  ),
};

export const mirrorFromDiskCommand: MirrorSubcommand = {
  name: 'from-disk',
  register: register(
    'from-disk',
    "on the jumphost: push an archive made by to-disk into the lab's registry and write the same outputs as `mirror images`",
    '  dci-agent-ts mirror from-disk --inventory lab.yml --archive /mnt/usb/ocp-4.16.3 --out ./mirror',
  ),
};
