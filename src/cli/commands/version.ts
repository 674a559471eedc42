import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { CliCommand } from './index.js';

export function packageVersion(): string {
  // dist/cli/commands or src/cli/commands → package root is three levels up.
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(join(here, '..', '..', '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export const versionCommand: CliCommand = {
  name: 'version',
  register(program, io) {
    program
      .command('version')
      .description('print the version of dci-agent-ts and of Node.js')
      .addHelpText('after', '\nExample:\n  dci-agent-ts version')
      .action(() => {
        io.stdout(`dci-agent-ts ${packageVersion()} (node ${process.version})\n`);
      });
  },
};
