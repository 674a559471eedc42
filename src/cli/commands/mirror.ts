/**
 * The `mirror` command group. Each subcommand is one file exporting a MirrorSubcommand; add yours to
 * MIRROR_SUBCOMMANDS (one line) and it appears under `dci-agent-ts mirror`.
 */
import type { Command } from 'commander';
import type { CliIO } from '../main.js';
import type { CliCommand } from './index.js';
import { mirrorCopyCommand } from './mirror-copy.js';
import { mirrorFromDiskCommand, mirrorImagesCommand, mirrorToDiskCommand } from './mirror-stage.js';

export interface MirrorSubcommand {
  name: string;
  register(group: Command, io: CliIO): void;
}

export const MIRROR_SUBCOMMANDS: MirrorSubcommand[] = [mirrorCopyCommand, mirrorImagesCommand, mirrorToDiskCommand, mirrorFromDiskCommand];

export const mirrorCommand: CliCommand = {
  name: 'mirror',
  register(program, io) {
    const group = program
      .command('mirror')
      .description('copy container images between registries, OCI layouts and archives (no oc/skopeo needed)');
    for (const sub of MIRROR_SUBCOMMANDS) sub.register(group, io);
  },
};
