/**
 * Every subcommand, in the order `--help` lists them. Each entry registers its options and loads its
 * implementation lazily inside the action.
 */
import type { Command } from 'commander';
import type { CliIO } from '../main.js';
import { versionCommand } from './version.js';
import { runCommand } from './run.js';
import { runsCommand } from './runs.js';
import { systemdCommand } from './systemd.js';
import { dciCommand } from './dci.js';
import { mirrorSetsCommand } from './mirror-sets.js';
import { mirrorCommand } from './mirror.js';
import { playCommand } from './play.js';
import { validateCommand } from './validate.js';
import { varsCommand } from './vars.js';
import { installCommand } from './install.js';

export interface CliCommand {
  name: string;
  register(program: Command, io: CliIO): void;
}

export const COMMANDS: CliCommand[] = [runCommand, runsCommand, systemdCommand, versionCommand, validateCommand, varsCommand, dciCommand, mirrorSetsCommand, mirrorCommand, playCommand, installCommand];
