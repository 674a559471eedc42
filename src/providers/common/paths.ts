/**
 * Paths on the host that runs the installer. Plans are pure, so they keep `~/` (the login user's home) and the
 * runner expands it once it knows `$HOME` on that host.
 */
import { posix } from 'node:path';
import { text } from './vars.js';
import { InstallerError } from '../../core/errors.js';

/** The installer working dir (`dir`, the original's clusterconfigs), `~/clusterconfigs` by default. */
export function workDir(vars: Record<string, unknown>): string {
  const d = normalizeRemotePath(text(vars, 'dir') ?? '~/clusterconfigs', 'dir');
  if (d === '/' || d === '~' || d === '~/') {
    throw new InstallerError('bad-dir', `dir ${JSON.stringify(d)} would wipe a whole tree: the installer dir is emptied before each install`, { hint: 'set dir to a dedicated directory, e.g. ~/clusterconfigs' });
  }
  return d;
}

/** `provision_cache_store` (installers and ISOs cached per version), `~/releases` by default like the settings. */
export function cacheStore(vars: Record<string, unknown>): string {
  return normalizeRemotePath(text(vars, 'provision_cache_store') ?? '~/releases', 'provision_cache_store');
}

/** `{{ ansible_user_dir }}` (a gathered fact the port does not gather) means the login user's home: `~`. */
export function normalizeRemotePath(p: string, variable: string): string {
  const s = p.replace(/\{\{\s*ansible_(user_dir|env\.HOME)\s*\}\}/g, '~').replace(/^\$HOME(?=\/|$)/, '~').replace(/\/+$/, '') || '/';
  if (s.includes('{{')) throw new InstallerError('bad-path', `${variable} ${JSON.stringify(p)} still holds a template the installer cannot resolve`, { hint: `give ${variable} as a plain path` });
  if (!s.startsWith('/') && !s.startsWith('~')) throw new InstallerError('bad-path', `${variable} ${JSON.stringify(p)} must be an absolute path (or start with ~/)`, { hint: `e.g. ${variable}=~/clusterconfigs` });
  return s;
}

export const join = posix.join;

/** Replace a leading `~` in words and after `=`/spaces/quotes with the real home directory. */
export function expandHome(s: string, home: string): string {
  return s.replace(/(^|[\s='"])~(?=\/|$|\s|')/g, `$1${home}`);
}
