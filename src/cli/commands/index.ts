/**
 * Every subcommand, in the order `--help` lists them. Each entry registers its options and loads its
 * implementation lazily inside the action.
 */
import type { Command } from 'commander';
import type { CliIO } from '../main.js';
import { versionCommand } from './version.js';
import { dciCommand } from './dci.js';
import { mirrorSetsCommand } from './mirror-sets.js';
import { playCommand } from './play.js';
import { mirrorCommand } from './mirror.js';

export interface CliCommand {
  name: string;
  register(program: Command, io: CliIO): void;
}

export const COMMANDS: CliCommand[] = [versionCommand, dciCommand, mirrorSetsCommand, playCommand, mirrorCommand];
