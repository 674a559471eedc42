/**
 * Property tests: the rendered objects do not depend on the order of the mapping, and every mapped image,
 * pulled the way the cluster pulls it, goes to one of its own mirrors first (checked with our resolver,
 * independently of the builder's own self-check).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildMirrorSets,
  collectMirrorSets,
  findRegistry,
  parseNormalizedReference,
  registryFinder,
  resolvePullSourcesFromMirrorSets,
  splitImageSpec,
  toYaml,
  type MirrorMapping,
} from '../../src/manifests/index.js';

const component = fc.constantFrom('a', 'b', 'ns', 'openshift4', 'app', 'x-y', 'lib_1', 'ocp');
const sourceHost = fc.constantFrom('quay.io', 'registry.redhat.io', 'docker.io', 'gcr.io', 'example.com:5000');
const mirrorHost = fc.constantFrom('mirror.local:5000', 'backup.local', 'reg.example');
const digest = fc.constantFrom(...'0123456789abcdef'.split('')).map((c) => `sha256:${c.repeat(64)}`);
const tag = fc.constantFrom('v1', 'latest', '1.2.3', '4.16.3-x86_64');
const suffix = fc.oneof(
  tag.map((t) => ({ tag: t as string | undefined, digest: undefined as string | undefined })),
  digest.map((d) => ({ tag: undefined as string | undefined, digest: d as string | undefined })),
  fc.tuple(tag, digest).map(([t, d]) => ({ tag: t as string | undefined, digest: d as string | undefined })),
);
const fmt = (repo: string, s: { tag?: string; digest?: string }): string => `${repo}${s.tag !== undefined ? `:${s.tag}` : ''}${s.digest !== undefined ? `@${s.digest}` : ''}`;

const entry: fc.Arbitrary<MirrorMapping> = fc
  .record({
    host: sourceHost,
    path: fc.array(component, { minLength: 1, maxLength: 3 }),
    suffix,
    mirror: mirrorHost,
    prefix: fc.constantFrom('', 'mirror', 'm/n'),
    keepPath: fc.boolean(),
    category: fc.constantFrom(undefined, 'release', 'operator', 'generic'),
  })
  .map((r) => {
    const srcRepo = `${r.host}/${r.path.join('/')}`;
    const destPath = r.keepPath ? r.path.join('/') : r.path.join('-');
    const destRepo = [r.mirror, r.prefix, destPath].filter((x) => x !== '').join('/');
    const m: MirrorMapping = { source: fmt(srcRepo, r.suffix), destination: fmt(destRepo, r.suffix) };
    if (r.category !== undefined) m.category = r.category as MirrorMapping['category'];
    return m;
  });

const mappingWithPermutation = fc
  .array(entry, { minLength: 1, maxLength: 12 })
  .chain((mapping) => fc.tuple(fc.constant(mapping), fc.shuffledSubarray(mapping, { minLength: mapping.length, maxLength: mapping.length })));

describe('mirror-set properties', () => {
  for (const version of ['4.16', '4.12']) {
    it(`${version}: rendering is deterministic under any permutation of the mapping`, () => {
      fc.assert(
        fc.property(mappingWithPermutation, ([mapping, permuted]) => {
          const a = buildMirrorSets(mapping, { version });
          const b = buildMirrorSets(permuted, { version });
          expect(toYaml(b.objects)).toBe(toYaml(a.objects));
        }),
        { numRuns: 150 },
      );
    });

    it(`${version}: every mapped image resolves to one of its own mirrors first`, () => {
      fc.assert(
        fc.property(fc.array(entry, { minLength: 1, maxLength: 12 }), (mapping) => {
          const build = buildMirrorSets(mapping, { version });
          const sets = collectMirrorSets(build.objects);
          const destinations = new Map<string, Set<string>>();
          for (const m of mapping) {
            const src = parseNormalizedReference(m.source).name;
            destinations.set(src, (destinations.get(src) ?? new Set()).add(splitImageSpec(m.destination).repo));
          }
          for (const m of mapping) {
            const ref = parseNormalizedReference(m.source);
            const pulls: string[] = [];
            if (ref.digest !== undefined) pulls.push(`${ref.name}@${ref.digest}`);
            // Tag pulls are mirrored by ImageTagMirrorSet only (≥ 4.13); ICSP mirrors serve digests only.
            if (ref.tag !== undefined && build.decision.tagMirrors) pulls.push(`${ref.name}:${ref.tag}`);
            for (const pull of pulls) {
              const first = resolvePullSourcesFromMirrorSets(pull, sets).locations[0];
              expect(first.role, `${pull} → ${first.reference}`).toBe('mirror');
              expect(destinations.get(ref.name)!.has(splitImageSpec(first.reference).repo), `${pull} → ${first.reference}`).toBe(true);
              // The mirror is asked for the same tag or digest.
              expect(first.reference.endsWith(pull.slice(ref.name.length))).toBe(true);
            }
          }
        }),
        { numRuns: 200 },
      );
    });
  }
});

describe('registry lookup index', () => {
  const prefix = fc.constantFrom('quay.io', 'quay.io/ns', 'quay.io/ns/app', 'quay.io:443', '*.io', '*.quay.io', 'a.quay.io', 'example.com', 'example.com:5000/x', '*.com');
  const ref = fc.constantFrom('quay.io/ns/app', 'quay.io/ns/app2', 'a.quay.io/x', 'b.a.quay.io:5000/x', 'quay.io:443/ns', 'example.com:5000/x/y', 'example.com/z', 'docker.io/library/busybox', 'sub.example.com/x');
  it('registryFinder gives the same entry as the linear findRegistry (longest prefix, first on ties)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ prefix, location: fc.constantFrom('', 'm.local') }), { maxLength: 8 }), ref, (regs, r) => {
        const conf = {
          unqualifiedSearchRegistries: [],
          shortNameMode: '',
          registries: regs.map((x) => ({ prefix: x.prefix, location: x.location, insecure: false, blocked: false, mirrorByDigestOnly: false, mirrors: [] })),
        };
        expect(registryFinder(conf)(r)).toBe(findRegistry(conf, r));
      }),
      { numRuns: 300 },
    );
  });
});
