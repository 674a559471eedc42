/**
 * Is a file the installer just published really served by the cache web server? A BMC that cannot mount the ISO
 * answers with a vendor message (or fails the boot silently), and a bootstrap VM that cannot download its image
 * fails 30+ minutes later: asking first turns both into one clear message. A server that answers "not found" is
 * an error (webserver_url does not serve provision_cache_store); a server this host cannot reach is only a warning
 * (the BMC may reach it by another route).
 */
import { InstallerError } from '../../core/errors.js';

export async function checkServed(url: string, o: { what: string; store: string; signal?: AbortSignal; log: (line: string) => void }): Promise<'served' | 'unreachable'> {
  const { request } = await import('undici');
  let status: number;
  try {
    const res = await request(url, { method: 'GET', headers: { range: 'bytes=0-0' }, signal: o.signal, headersTimeout: 30_000, bodyTimeout: 30_000 });
    status = res.statusCode;
    await res.body.dump();
  } catch (e) {
    o.log(`[install] check: warning: ${url} cannot be fetched from the controller (${(e as Error).message}); the ${o.what} must reach it`);
    return 'unreachable';
  }
  if (status === 200 || status === 206) {
    o.log(`[install] check: ${url} is served`);
    return 'served';
  }
  throw new InstallerError('not-served', `the cache web server answers HTTP ${status} for ${url}: the ${o.what} cannot download it`, {
    hint: `webserver_url must serve the directory provision_cache_store (${o.store}) of the provisioner: check its document root, or fix webserver_url`,
  });
}
