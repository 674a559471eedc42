/**
 * `dci-agent-ts play PLAYBOOK -i INVENTORY`: run a playbook or a hook task file outside the pipeline, like
 * ansible-playbook. Exit 0 when every host succeeded, 2 when a host failed (or on bad input).
 */
import { Option } from 'commander';
import type { CliCommand } from './index.js';

interface PlayOptions {
  inventory?: string;
  extraVars: string[];
  tags?: string;
  skipTags?: string;
  check?: boolean;
  output?: 'tty' | 'plain' | 'jsonl';
  limit?: string;
  forks?: string;
  junit?: string;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export const playCommand: CliCommand = {
  name: 'play',
  register(program, io) {
    program
      .command('play')
      .description('run a playbook or a hook task file with the built-in engine (like ansible-playbook)')
      .argument('<playbook>', 'playbook (list of plays) or task list (runs on localhost)')
      .option('-i, --inventory <path>', 'inventory file or directory (INI or YAML)')
      .option('-e, --extra-vars <vars>', 'extra variables: k=v, YAML/JSON, or @file (repeatable)', collect, [])
      .option('-t, --tags <tags>', 'only run tasks with these tags (comma separated)')
      .option('--skip-tags <tags>', 'skip tasks with these tags (comma separated)')
      .option('-C, --check', 'check mode: modules that support it report what they would change')
      .option('-l, --limit <pattern>', 'further limit the hosts of every play to this pattern')
      .option('-f, --forks <n>', 'hosts run in parallel per task (default 5)')
      .option('--junit <path>', 'write tasks named test_* as a junit.xml file')
      .addOption(new Option('-o, --output <kind>', 'output: tty (live tree), plain (timestamped lines), jsonl').choices(['tty', 'plain', 'jsonl']))
      .addHelpText(
        'after',
        `
Exit codes: 0 all hosts ok, 2 a host failed or the input is invalid.

Examples:
  dci-agent-ts play hooks/pre-run.yml -i inventories/demo.yml
  dci-agent-ts play site.yml -i hosts.ini -e @settings.yml -e cluster=lab --tags mirror --output plain`,
      )
      .action(async (playbook: string, opts: PlayOptions) => {
        const { runPlay } = await import('./play-run.js');
        process.exitCode = await runPlay(playbook, opts, io);
      });
  },
};
