import { describe, expect, it } from 'vitest';
import {
  baseRegistriesConf,
  editRegistriesConf,
  parseRegistriesConf,
  registriesConfToToml,
  renderRegistriesConf,
  resolvePullSources,
  resolvePullSourcesFromMirrorSets,
  NestedScopeError,
  RegistriesConfError,
} from '../../src/manifests/index.js';

const DIGEST = 'sha256:' + 'c'.repeat(64);

describe('registries.conf rendering (MCO)', () => {
  it('writes the TOML MCO writes and it loads back to the same entries', () => {
    const text = renderRegistriesConf({
      insecureRegistries: ['mirror.local:5000'],
      idms: [[{ source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['mirror.local:5000/ocp/release'], mirrorSourcePolicy: 'NeverContactSource' }]],
      itms: [[{ source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['mirror.local:5000/ocp/release'], mirrorSourcePolicy: 'NeverContactSource' }]],
    });
    expect(text).toBe(
      [
        'unqualified-search-registries = ["registry.access.redhat.com", "docker.io"]',
        'short-name-mode = ""',
        '',
        '[[registry]]',
        '  prefix = ""',
        '  location = "quay.io/openshift-release-dev/ocp-v4.0-art-dev"',
        '  blocked = true',
        '',
        '  [[registry.mirror]]',
        '    location = "mirror.local:5000/ocp/release"',
        '    insecure = true',
        '    pull-from-mirror = "digest-only"',
        '',
        '  [[registry.mirror]]',
        '    location = "mirror.local:5000/ocp/release"',
        '    insecure = true',
        '    pull-from-mirror = "tag-only"',
        '',
        '[[registry]]',
        '  prefix = ""',
        '  location = "mirror.local:5000"',
        '  insecure = true',
        '',
      ].join('\n'),
    );
    const loaded = parseRegistriesConf(text);
    const edited = editRegistriesConf(baseRegistriesConf(), {
      insecureRegistries: ['mirror.local:5000'],
      idms: [[{ source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['mirror.local:5000/ocp/release'], mirrorSourcePolicy: 'NeverContactSource' }]],
      itms: [[{ source: 'quay.io/openshift-release-dev/ocp-v4.0-art-dev', mirrors: ['mirror.local:5000/ocp/release'], mirrorSourcePolicy: 'NeverContactSource' }]],
    });
    // Loading defaults the prefix to the location, as containers/image does.
    expect(loaded.registries).toEqual(edited.registries.map((r) => ({ ...r, prefix: r.prefix || r.location })));
    expect(registriesConfToToml(edited)).toBe(text);
  });

  it('≤ 4.12 form: mirror-by-digest-only on the entry, copied to nested scopes, no pull-from-mirror', () => {
    const conf = editRegistriesConf(baseRegistriesConf(), {
      style: 'legacy',
      blockedRegistries: ['quay.io/ns/blocked'],
      icsp: [[{ source: 'quay.io/ns', mirrors: ['mirror.local/ns'] }]],
    });
    expect(conf.registries).toEqual([
      { prefix: '', location: 'quay.io/ns', insecure: false, blocked: false, mirrorByDigestOnly: true, mirrors: [{ location: 'mirror.local/ns', insecure: false, pullFromMirror: '' }] },
      { prefix: '', location: 'quay.io/ns/blocked', insecure: false, blocked: true, mirrorByDigestOnly: true, mirrors: [{ location: 'mirror.local/ns/blocked', insecure: false, pullFromMirror: '' }] },
    ]);
    expect(registriesConfToToml(conf)).toContain('mirror-by-digest-only = true');
    expect(registriesConfToToml(conf)).not.toContain('pull-from-mirror');
    expect(() => editRegistriesConf(baseRegistriesConf(), { style: 'legacy', idms: [[{ source: 'a.com', mirrors: ['b.com'] }]] })).toThrow(/only knows ImageContentSourcePolicy/);
  });

  it('fails like MCO when a wildcard mirror source would have to reach a nested scope', () => {
    expect(() => editRegistriesConf(baseRegistriesConf(), { insecureRegistries: ['foo.example.com'], idms: [[{ source: '*.example.com', mirrors: ['mirror.local/x'] }]] })).toThrow(NestedScopeError);
  });

  it('rejects registries.conf content CRI-O rejects, naming the file', () => {
    expect(() => parseRegistriesConf('[[registry]]\nlocation = "a.com"\n[[registry.mirror]]\nlocation = "b.com"\npull-from-mirror = "sometimes"\n', 'x.conf')).toThrow(/x.conf: unsupported pull-from-mirror value "sometimes"/);
    expect(() => parseRegistriesConf('[[registry]]\nlocation = "a.com"\nmirror-by-digest-only = true\n[[registry.mirror]]\nlocation = "b.com"\npull-from-mirror = "all"\n')).toThrow(RegistriesConfError);
    expect(() => parseRegistriesConf('[[registry\n')).toThrow(/not valid TOML/);
    expect(() => parseRegistriesConf('[registries.search]\nregistries = ["a.com"]\n')).toThrow(/V1 format/);
  });
});

describe('resolve: where a pull goes', () => {
  const sets = {
    idms: [
      [{ source: 'quay.io/libpod', mirrors: ['m1.example/libpod'] }],
      [{ source: 'quay.io/libpod/busybox', mirrors: ['m2.example/busybox'] }],
    ],
  };
  it('most specific entry only, digest-only mirrors, source last (mirror-semantics §3.3 worked example)', () => {
    const a = resolvePullSourcesFromMirrorSets(`quay.io/libpod/busybox@${DIGEST}`, sets);
    expect(a.locations.map((l) => l.reference)).toEqual([`m2.example/busybox@${DIGEST}`, `quay.io/libpod/busybox@${DIGEST}`]);
    const b = resolvePullSourcesFromMirrorSets(`quay.io/libpod/alpine@${DIGEST}`, sets);
    expect(b.locations.map((l) => l.reference)).toEqual([`m1.example/libpod/alpine@${DIGEST}`, `quay.io/libpod/alpine@${DIGEST}`]);
    const c = resolvePullSourcesFromMirrorSets('quay.io/libpod/busybox:latest', sets);
    expect(c.locations.map((l) => l.reference)).toEqual(['quay.io/libpod/busybox:latest']);
    expect(c.skipped).toEqual([{ location: 'm2.example/busybox', why: expect.stringContaining('digest-only') }]);
  });

  it('NeverContactSource: the source attempt is blocked, the mirror is not', () => {
    const r = resolvePullSourcesFromMirrorSets(`quay.io/ns/app@${DIGEST}`, { idms: [[{ source: 'quay.io/ns', mirrors: ['mirror.local/ns'], mirrorSourcePolicy: 'NeverContactSource' }]] });
    expect(r.locations.map((l) => [l.reference, l.blocked])).toEqual([
      [`mirror.local/ns/app@${DIGEST}`, false],
      [`quay.io/ns/app@${DIGEST}`, true],
    ]);
    expect(r.locations[1].why).toMatch(/blocked/);
  });

  it('a mirror inside a blocked scope is unusable; insecure flags follow the scope', () => {
    const r = resolvePullSourcesFromMirrorSets(`quay.io/ns/app@${DIGEST}`, {
      blockedRegistries: ['bad.mirror'],
      insecureRegistries: ['good.mirror:5000'],
      idms: [[{ source: 'quay.io/ns', mirrors: ['bad.mirror/ns', 'good.mirror:5000/ns'] }]],
    });
    expect(r.locations.map((l) => ({ location: l.location, blocked: l.blocked, insecure: l.insecure }))).toEqual([
      { location: 'bad.mirror/ns', blocked: true, insecure: false },
      { location: 'good.mirror:5000/ns', blocked: false, insecure: true },
      { location: 'quay.io/ns', blocked: false, insecure: false },
    ]);
  });

  it('short names are normalised and tagged :latest; unmatched images go to their own registry', () => {
    const r = resolvePullSources('busybox', parseRegistriesConf(''));
    expect(r.normalized).toBe('docker.io/library/busybox:latest');
    expect(r.matched).toBeNull();
    expect(r.locations).toEqual([{ location: 'docker.io', insecure: false, reference: 'docker.io/library/busybox:latest', role: 'primary', blocked: false, why: expect.any(String) }]);
  });

  it('a wildcard entry without location pulls from the image host', () => {
    const conf = parseRegistriesConf('[[registry]]\nprefix = "*.example.com"\ninsecure = true\n');
    const r = resolvePullSources('a.example.com/x/y:1', conf);
    expect(r.locations).toMatchObject([{ location: 'a.example.com', insecure: true, reference: 'a.example.com/x/y:1' }]);
  });
});
