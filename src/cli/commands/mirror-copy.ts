/** `dci-agent-ts mirror copy`: copy images (one pair, or a mapping file) with the native mirror engine. */
import type { CliIO } from '../main.js';
import type { MirrorSubcommand } from './mirror.js';

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

export interface MirrorCopyFlags {
  from?: string;
  to?: string;
  mapping?: string;
  auth?: string[];
  ca?: string[];
  insecure?: string[];
  plainHttp?: string[];
  platform?: string[];
  concurrency?: string;
  perHost?: string;
  json?: boolean;
  verify?: boolean;
}

export const mirrorCopyCommand: MirrorSubcommand = {
  name: 'copy',
  register(group, io) {
    group
      .command('copy')
      .description('copy images by digest: registry ↔ registry, registry ↔ OCI layout/archive; re-running is a no-op')
      .option('--from <src>', 'source: docker://host/repo[:tag|@digest], oci:DIR[:tag], oci-archive:FILE[:tag]')
      .option('--to <dst>', 'destination (same forms)')
      .option('--mapping <file>', 'many images: lines SOURCE=DESTINATION (the format of oc mapping files)')
      .option('--auth <file>', 'pull secret / auth.json / docker config.json (repeatable; default $REGISTRY_AUTH_FILE or ~/.docker/config.json)', collect)
      .option('--ca <[host=]file>', 'CA bundle (PEM) trusted for HOST, or for every registry involved (repeatable)', collect)
      .option('--insecure <host>', 'do not verify TLS for HOST, fall back to plain HTTP (repeatable)', collect)
      .option('--plain-http <host>', 'talk to HOST over plain HTTP (repeatable)', collect)
      .option('--platform <os/arch>', 'copy only these platforms of multi-arch images; indexes are re-written (repeatable)', collect)
      .option('--concurrency <n>', 'concurrent blob transfers (default 16)')
      .option('--per-host <n>', 'concurrent blob transfers per destination host (default 16)')
      .option('--verify', 'read back every manifest and blob from the destination afterwards')
      .option('--json', 'print the report as JSON')
      .addHelpText(
        'after',
        `
Examples:
  dci-agent-ts mirror copy --from docker://quay.io/ns/app:v1 --to docker://registry.local:5000/ns/app:v1 --auth pull-secret.json
  dci-agent-ts mirror copy --from docker://quay.io/ns/app@sha256:... --to oci:/mnt/disk:app-v1
  dci-agent-ts mirror copy --mapping mapping.txt --ca registry.local:5000=ca.pem`,
      )
      .action(async (flags: MirrorCopyFlags) => {
        const { runMirrorCopy } = await import('./mirror-copy-run.js');
        await runMirrorCopy(flags, io as CliIO);
      });
  },
};
