/**
 * One handler per vector family file (`<family>.json` in VECTORS_DIR). To add a family, add one entry to
 * FAMILIES. A file with no entry fails the run; a `pending` entry skips its cases with the written reason
 * until its owner replaces the entry with a `run` handler.
 *
 * TODO(owners): replace these pending entries with real handlers —
 *   - catalog-filter-fixture: owned by src/mirror/catalog (needs the upstream externalFixture catalog and an FBC
 *     directory loader; the data is not in the vectors folder).
 */
import { expect } from 'vitest';
import { canonicalQuery, computeSignature, isSignatureExpired, type SignatureInput } from '../../src/report/dci/index.js';
import {
  catalogSourceFilesV1,
  catalogSourceNameV1,
  catalogSourcesForMirroredImages,
  dedupeSortSources,
  editRegistriesConf,
  findMirrorConfigProblem,
  findRegistry,
  groupMirroredImages,
  isValidMirrorLocation,
  isValidMirrorSource,
  isValidRegistriesConfScope,
  mergeDigestMirrorSets,
  mergeMirrorSets,
  mergeRegistriesConfs,
  migrateIcspToIdms,
  mirrorsAdjustedForNestedScope,
  mirrorsContainARealMirror,
  NestedScopeError,
  normalizeRegistriesConf,
  ocMirrorSetFiles,
  parseNormalizedReference,
  parseRegistryLocation,
  pullSourcesFromReference,
  refMatchingPrefix,
  refMatchingSubdomainPrefix,
  RegistriesConfError,
  releaseMirrorInstructions,
  rewriteReference,
  RewriteError,
  scopeIsNestedInsideScope,
  topoSort,
  validBlockedRegistries,
  versionCapabilities,
  type MirrorEntry,
  type MirroredImage,
  type RegistriesConfData,
} from '../../src/manifests/index.js';

export interface VectorCase {
  name: string;
  input: Record<string, unknown>;
  expected?: unknown;
  error?: string;
  errorMessage?: string;
  appliesTo?: string[];
  derived?: boolean;
  note?: string;
  upstreamTest?: string;
}

export interface VectorFile {
  description: string;
  source: string;
  cases: VectorCase[];
  [key: string]: unknown;
}

export interface FamilyHandler {
  /** The folder (or helper) responsible for the code under test. */
  owner: string;
  /** When set, every case is skipped with this written reason (the owner has not registered a handler yet). */
  pending?: string;
  run?: (c: VectorCase, file: VectorFile) => void | Promise<void>;
}

/** Run `fn`, expect it to throw; check the error's category (via `codeOf`) and upstream message substring. */
function expectError(c: VectorCase, fn: () => unknown, codeOf: (e: unknown) => string | undefined): void {
  let err: unknown;
  let value: unknown;
  try {
    value = fn();
  } catch (e) {
    err = e;
  }
  expect(err, `expected an error "${c.error}", got ${JSON.stringify(value)}`).toBeDefined();
  expect(codeOf(err)).toBe(c.error);
  if (c.errorMessage) expect((err as Error).message).toContain(c.errorMessage);
}

const sortBy = <T>(list: T[], key: (t: T) => string): T[] => [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));

type Objects = MirrorEntry[][];

function registriesView(regs: ReturnType<typeof editRegistriesConf>['registries']): unknown[] {
  return regs.map((r) => ({
    prefix: r.prefix,
    location: r.location,
    blocked: r.blocked,
    insecure: r.insecure,
    mirrors: r.mirrors.map((m) => ({ location: m.location, pullFromMirror: m.pullFromMirror, insecure: m.insecure })),
  }));
}

function groupsAsSets(groups: Array<{ name?: string; category: string; entries: Array<{ source: string; mirrors: string[] }> }>, withNames: boolean): unknown[] {
  return sortBy(
    groups.map((g) => ({
      ...(withNames && g.name !== undefined ? { name: g.name } : {}),
      category: g.category,
      entries: sortBy(
        g.entries.map((e) => ({ source: e.source, mirrors: [...e.mirrors].sort() })),
        (e) => e.source,
      ),
    })),
    (g) => g.category,
  );
}

const MANIFESTS = 'src/manifests';

export const FAMILIES: Record<string, FamilyHandler> = {
  // --- pending: other owners replace these entries -------------------------------------------------------
  'dci-canonical-query': { owner: 'src/report/dci', run: (c) => expect(canonicalQuery((c.input as { query: Record<string, string> }).query)).toBe(c.expected) },
  'dci-request-signing': {
    owner: 'src/report/dci',
    run: (c) => {
      const i = c.input as unknown as SignatureInput & { body: string; bodyEncoding?: BufferEncoding };
      // Byte for byte: every intermediate (canonical request, string to sign, key, signature, header).
      expect(computeSignature({ ...i, body: Buffer.from(i.body, i.bodyEncoding ?? 'utf8') })).toEqual(c.expected);
    },
  },
  'dci-signature-expiry': {
    owner: 'src/report/dci',
    run: (c) => {
      const i = c.input as { timestamp: string; serverNow: string };
      expect({ expired: isSignatureExpired(i.timestamp, new Date(i.serverNow)) }).toEqual(c.expected);
    },
  },
  'catalog-filter-fixture': {
    owner: 'src/mirror/catalog',
    pending:
      'owned by src/mirror/catalog — pending: the cases need the upstream catalog named in externalFixture (sherine-k/catalog-filter testdata), which is not in the vectors folder, and an FBC directory loader',
  },

  // --- catalog (src/mirror/catalog, function filterCatalog) -----------------------------------------------
  'catalog-filter': {
    owner: 'src/mirror/catalog',
    async run(c) {
      const catalogModule = await import('../../src/mirror/catalog/index.js');
      const { filterCatalog, normalizeCatalog } = catalogModule;
      type Filter = Parameters<typeof filterCatalog>[1];
      type Partial = Parameters<typeof normalizeCatalog>[0];
      const catalog = normalizeCatalog(c.input.catalog as Partial);
      const before = JSON.stringify(catalog);
      const dropEmpty = (x: object): object => Object.fromEntries(Object.entries(x).filter(([k, v]) => (v as unknown[]).length > 0 || ['packages', 'channels', 'bundles'].includes(k)));
      if (c.error) {
        expectError(c, () => filterCatalog(catalog, c.input.filter as Filter), (e) => (e as { code?: string }).code);
        return;
      }
      const out = filterCatalog(catalog, c.input.filter as Filter);
      const exp = c.expected as { catalog: Partial; warningContains?: string };
      expect(dropEmpty(out.catalog)).toEqual(dropEmpty(normalizeCatalog(exp.catalog)));
      if (exp.warningContains) expect(out.warnings.join('\n')).toContain(exp.warningContains);
      expect(JSON.stringify(catalog)).toBe(before);
    },
  },

  // --- mirror sets and registries.conf (src/manifests) ----------------------------------------------------
  'mirror-topo-order': {
    owner: MANIFESTS,
    run(c) {
      const edges = c.input.edges as Array<[string, string]>;
      expect(topoSort(edges)).toEqual(c.expected);
      for (let i = 1; i < edges.length; i++) expect(topoSort([...edges.slice(i), ...edges.slice(0, i)])).toEqual(c.expected);
    },
  },
  'mirror-set-merge': {
    owner: MANIFESTS,
    run(c) {
      const sets = c.input.mirrorSets as Objects;
      const kinds = c.appliesTo ?? ['ICSP', 'IDMS', 'ITMS'];
      expect(kinds.length).toBeGreaterThan(0);
      for (const kind of kinds) {
        const got = kind === 'ICSP' ? mergeDigestMirrorSets([], sets) : kind === 'IDMS' ? mergeDigestMirrorSets(sets, []) : mergeMirrorSets(sets);
        expect(got, kind).toEqual(c.expected);
      }
    },
  },
  'registries-conf-render': {
    owner: MANIFESTS,
    run(c, file) {
      const base = file.baseConfig as { unqualifiedSearchRegistries: string[] };
      const conf = editRegistriesConf({ unqualifiedSearchRegistries: base.unqualifiedSearchRegistries, shortNameMode: '', registries: [] }, c.input as never);
      expect(registriesView(conf.registries)).toEqual((c.expected as { registries: unknown[] }).registries);
      expect(conf.unqualifiedSearchRegistries).toEqual(base.unqualifiedSearchRegistries);
    },
  },
  'mirror-config-validation': {
    owner: MANIFESTS,
    run(c) {
      const p = findMirrorConfigProblem(c.input as never);
      if (c.error) {
        expect(p?.code).toBe(c.error);
        if (c.errorMessage) expect(p?.message).toContain(c.errorMessage);
      } else {
        expect(p).toBeUndefined();
        expect(c.expected).toEqual({ valid: true });
      }
    },
  },
  'mirror-field-format': {
    owner: MANIFESTS,
    run(c) {
      const v = c.input.value as string;
      expect({ validSource: isValidMirrorSource(v), validMirror: isValidMirrorLocation(v) }).toEqual(c.expected);
    },
  },
  'scope-nesting': {
    owner: MANIFESTS,
    run(c) {
      expect(scopeIsNestedInsideScope(c.input.subScope as string, c.input.superScope as string)).toBe(c.expected);
    },
  },
  'scope-validity': {
    owner: MANIFESTS,
    run(c) {
      expect(isValidRegistriesConfScope(c.input.scope as string)).toBe(c.expected);
    },
  },
  'real-mirror-check': {
    owner: MANIFESTS,
    run(c) {
      expect(mirrorsContainARealMirror(c.input.source as string, c.input.mirrors as string[])).toBe(c.expected);
    },
  },
  'nested-scope-mirrors': {
    owner: MANIFESTS,
    run(c) {
      const call = (): string[] =>
        mirrorsAdjustedForNestedScope(c.input.mirroredScope as string, c.input.subScope as string, (c.input.mirrors as string[]).map((location) => ({ location }))).map((m) => m.location);
      if (c.error) expectError(c, call, (e) => (e instanceof NestedScopeError ? e.code : undefined));
      else expect(call()).toEqual(c.expected);
    },
  },
  'blocked-registries-payload': {
    owner: MANIFESTS,
    run(c) {
      const r = validBlockedRegistries(c.input.releaseImage as string, c.input.blockedRegistries as string[], c.input.idms as Objects);
      expect({ registriesConfBlocked: r.registriesConfBlocked, policyBlocked: r.policyBlocked, allowedRegistries: r.allowedRegistries, reportsError: r.error !== undefined }).toEqual(c.expected);
    },
  },
  'reference-prefix-match': {
    owner: MANIFESTS,
    run(c) {
      expect(refMatchingPrefix(c.input.reference as string, c.input.prefix as string)).toBe(c.expected);
    },
  },
  'reference-wildcard-match': {
    owner: MANIFESTS,
    run(c) {
      expect(refMatchingSubdomainPrefix(c.input.reference as string, c.input.prefix as string)).toBe(c.expected);
    },
  },
  'reference-rewrite': {
    owner: MANIFESTS,
    run(c) {
      const call = (): string => rewriteReference(c.input.reference as string, c.input.prefix as string, c.input.location as string);
      if (c.error) expectError(c, call, (e) => (e instanceof RewriteError ? 'invalid-reference' : undefined));
      else expect(call()).toBe(c.expected);
    },
  },
  'pull-sources': {
    owner: MANIFESTS,
    run(c, file) {
      const fixtures = file.fixtures as Record<string, RegistriesConfData['registries']>;
      const fixture = fixtures[c.input.fixture as string];
      expect(fixture, `fixture ${String(c.input.fixture)}`).toBeDefined();
      const conf = normalizeRegistriesConf({ registries: fixture });
      const ref = parseNormalizedReference(c.input.reference as string);
      const reg = findRegistry(conf, ref.name);
      expect(reg).toBeDefined();
      const got = pullSourcesFromReference(reg!, ref).sources.map((s) => ({ location: s.location, insecure: s.insecure, reference: s.reference }));
      expect(got).toEqual(c.expected);
    },
  },
  'find-registry': {
    owner: MANIFESTS,
    run(c, file) {
      type Fixture = { registries: RegistriesConfData['registries']; dropIns: Array<{ file: string; registries: RegistriesConfData['registries'] }> };
      const fx = (file.fixtures as Record<string, Fixture>)[c.input.fixture as string];
      expect(fx, `fixture ${String(c.input.fixture)}`).toBeDefined();
      const conf = mergeRegistriesConfs(
        normalizeRegistriesConf({ registries: fx.registries }),
        fx.dropIns.map((d) => normalizeRegistriesConf({ registries: d.registries })),
      );
      const reg = findRegistry(conf, c.input.reference as string);
      const exp = c.expected as { match: boolean; prefix?: string; location?: string; mirrors?: Array<{ location: string; insecure: boolean }> };
      expect(reg !== undefined).toBe(exp.match);
      if (!reg) return;
      if (exp.prefix !== undefined) expect(reg.prefix).toBe(exp.prefix);
      if (exp.location !== undefined) expect(reg.location).toBe(exp.location);
      if (exp.mirrors !== undefined) expect(reg.mirrors.map((m) => ({ location: m.location, insecure: m.insecure }))).toEqual(exp.mirrors);
    },
  },
  'registries-conf-load-errors': {
    owner: MANIFESTS,
    run(c) {
      expectError(c, () => normalizeRegistriesConf(c.input as RegistriesConfData), (e) => (e instanceof RegistriesConfError ? e.code : undefined));
    },
  },
  'registry-location-parse': {
    owner: MANIFESTS,
    run(c) {
      const call = (): string => parseRegistryLocation(c.input.location as string);
      if (c.error) expectError(c, call, (e) => (e instanceof RegistriesConfError ? e.code : undefined));
      else expect(call()).toBe(c.expected);
    },
  },
  'release-mirror-source-dedupe': {
    owner: MANIFESTS,
    run(c) {
      expect(dedupeSortSources(c.input.mirrorSets as MirrorEntry[])).toEqual(c.expected);
    },
  },
  'release-mirror-instructions': {
    owner: MANIFESTS,
    run(c) {
      expect(releaseMirrorInstructions(c.input.mode as 'idms' | 'icsp', c.input.mirrorSets as Array<{ source: string; mirrors: string[] }>)).toEqual(c.expected);
    },
  },
  'icsp-to-idms': {
    owner: MANIFESTS,
    run(c) {
      expect(migrateIcspToIdms(c.input.icsp)).toEqual(c.expected);
    },
  },
  'oc-mirror-mirror-sets': {
    owner: MANIFESTS,
    run(c) {
      const got = groupMirroredImages(c.input.images as MirroredImage[], { mode: c.input.mode as 'digest' | 'tag', forceRepositoryScope: c.input.forceRepositoryScope === true });
      const expected = c.expected as Array<{ name?: string; category: string; entries: Array<{ source: string; mirrors: string[] }> }>;
      const withNames = expected.every((g) => g.name !== undefined);
      expect(groupsAsSets(got, withNames)).toEqual(groupsAsSets(expected, withNames));
    },
  },
  'oc-mirror-mirror-set-files': {
    owner: MANIFESTS,
    run(c) {
      expect(ocMirrorSetFiles(c.input.images as MirroredImage[]).sort()).toEqual([...(c.expected as { files: string[] }).files].sort());
    },
  },
  'catalog-source-v2': {
    owner: MANIFESTS,
    run(c) {
      const got = catalogSourcesForMirroredImages(c.input.images as MirroredImage[], { localCacheRegistry: c.input.localCacheRegistry as string });
      expect(got.map((cs) => ({ name: cs.metadata.name, namespace: cs.metadata.namespace, sourceType: cs.spec.sourceType, image: cs.spec.image }))).toEqual(
        (c.expected as { catalogSources: unknown[] }).catalogSources,
      );
    },
  },
  'catalog-source-name-v1': {
    owner: MANIFESTS,
    run(c) {
      const name = catalogSourceNameV1(c.input.path as string);
      expect(name).toBe(c.expected);
      expect(name.length).toBeLessThanOrEqual(63);
    },
  },
  'catalog-source-files-v1': {
    owner: MANIFESTS,
    run(c) {
      expect(catalogSourceFilesV1(c.input.catalogs as Array<{ source: string }>).sort()).toEqual([...(c.expected as { files: string[] }).files].sort());
    },
  },
  'mirror-set-kind-by-version': {
    owner: MANIFESTS,
    run(c) {
      expect(versionCapabilities(c.input.ocpVersion as string)).toEqual(c.expected);
    },
  },
};
