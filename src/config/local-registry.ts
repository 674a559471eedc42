/**
 * The agent's derived `dci_local_registry` (`host[:port]` from `local_registry_host` / `local_registry_port`), the
 * default both the pipeline and the standalone `mirror` commands give the mirror stage. A leaf module, no imports.
 */
export function defaultLocalRegistry(vars: Record<string, unknown>): string | undefined {
  const host = vars.local_registry_host;
  if (host === undefined || host === null) return undefined;
  const port = vars.local_registry_port;
  return `${String(host)}${port !== undefined && port !== null && port !== '' ? `:${String(port)}` : ''}`;
}
