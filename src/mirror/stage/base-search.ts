/**
 * The last resort of from-disk when a base archive's content is not where an import with today's `local_repo` /
 * `dci_mirror_repo_prefix` would have put it: the base was imported under other names. The registry's repository
 * list (`GET /v2/_catalog`) is read once per run and per registry; a repository whose path ends with a base
 * reference's own path (`lab/x` for `quay.io/lab/x:v1`, found as `old-prefix/lab/x`) may hold it, and is trusted
 * only once the registry answers the recorded manifest digest there (the caller HEADs it). Many registries refuse
 * the list (Quay without the scope, a disabled catalog): that refusal is kept so the final error can say what to
 * set back instead.
 */
import { RegistryError } from '../../core/errors.js';
import { apiHost, splitPullSpec } from '../../core/image-reference.js';
import type { RegistryClient } from '../registry/client.js';
import { RegistryHttpError } from '../registry/retry.js';
import type { TransportSet } from '../transports.js';

/** The registry's repositories, or why it would not list them. */
export type RepositoryList = { repositories: string[]; refused?: undefined } | { repositories?: undefined; refused: RegistryError };

/** At most this many candidate repositories are checked at once (a HEAD each, then one image read where it hits). */
export const SEARCH_CONCURRENCY = 4;

const lists = new WeakMap<RegistryClient, Map<string, Promise<RepositoryList>>>();

/** The repository list of `registry`, read at most once for a client (one client serves one run). */
export function registryRepositories(client: RegistryClient, registry: string, signal?: AbortSignal): Promise<RepositoryList> {
  let byRegistry = lists.get(client);
  if (!byRegistry) lists.set(client, (byRegistry = new Map()));
  const host = registry.split('/')[0];
  let list = byRegistry.get(host);
  if (!list) {
    list = client.listRepositories(host, signal).then(
      (repositories): RepositoryList => ({ repositories }),
      (e: unknown): RepositoryList => {
        // Any answer but the list (401/403 without the scope, 404 with no catalog, 5xx after retries) only ends the
        // search: the caller's error about the base then stands. Not reaching the registry at all is the run's error.
        if (e instanceof RegistryError && e.code !== 'registry-unreachable' && e.code !== 'registry-tls') return { refused: e };
        throw e;
      },
    );
    byRegistry.set(host, list);
  }
  return list;
}

/** A reference's repository path without its registry host, tag or digest: `lab/x` for `quay.io:443/lab/x:v1`. */
export function repositoryPath(ref: string): string {
  const repository = splitPullSpec(ref.replace(/^docker:\/\//, '')).repository;
  const slash = repository.indexOf('/');
  const first = slash >= 0 ? repository.slice(0, slash) : '';
  const hasHost = first.includes('.') || first.includes(':') || first === 'localhost';
  return hasHost ? repository.slice(slash + 1) : repository;
}

/** The repositories that may hold `ref` under another prefix: its own path, or any prefix before it; shortest first. */
export function plausibleRepositories(repositories: readonly string[], ref: string): string[] {
  const path = repositoryPath(ref);
  return repositories.filter((r) => r === path || r.endsWith(`/${path}`)).sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** `docker://host/repository` of a repository of the registry the caller searched. */
export function registryLocation(registry: string, repository: string): string {
  return `docker://${registry.split('/')[0]}/${repository}`;
}

/** What the error adds when the registry could not be searched. */
export function refusedHint(registry: string, refused: RegistryError): string {
  const status = refused instanceof RegistryHttpError ? String(refused.status) : refused.code === 'registry-not-found' ? '404' : (/\((40[13])\)/.exec(refused.message)?.[1] ?? refused.code);
  return `if it was imported already under other repository names, ${apiHost(registry)} would not list its repositories to find them (GET /v2/_catalog answered ${status}): set local_repo and dci_mirror_repo_prefix back to the values that import used`;
}

/** Run `fn` over `items`, `limit` at a time, starting no new one once `done()` says so. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>, done: () => boolean): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && !done()) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * Where the registry holds the manifest `digest` of the base reference `ref` under another repository name: the
 * first plausible repository (see above) that answers that digest, or none; with the repository list as read, so a
 * caller that found nothing can tell a refusal from an absence.
 */
export async function findBaseManifest(o: { transports: TransportSet; registry: string; ref: string; digest: string; signal?: AbortSignal }): Promise<{ location?: string; searched: RepositoryList }> {
  const searched = await registryRepositories(o.transports.client, o.registry, o.signal);
  let location: string | undefined;
  const candidates = plausibleRepositories(searched.repositories ?? [], o.ref).map((r) => registryLocation(o.registry, r));
  await eachLimited(
    candidates,
    SEARCH_CONCURRENCY,
    async (candidate) => {
      const head = await o.transports.source(`${candidate}@${o.digest}`).transport.headManifest(o.digest, o.signal).catch(() => undefined);
      // The first hit in the list's order wins, whatever order the answers came in.
      if (head?.digest === o.digest && (!location || candidates.indexOf(candidate) < candidates.indexOf(location))) location = candidate;
    },
    () => location !== undefined,
  );
  return { location, searched };
}
