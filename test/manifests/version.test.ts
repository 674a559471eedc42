import { describe, expect, it } from 'vitest';
import { chooseMirrorSetKind, detectClusterMirrorSetKind, IDMS_CRD, parseOcpMinor, versionCapabilities } from '../../src/manifests/index.js';
import { MirrorSetError } from '../../src/core/errors.js';

describe('chooseMirrorSetKind', () => {
  it.each([
    ['4.12', 'icsp'],
    ['4.13.40', 'icsp'],
    ['4.14', 'idms'],
    ['4.14.0-rc.2', 'idms'],
    ['4.14.0-0.nightly-2023-10-01-123456', 'idms'],
    ['4.16.0-0.nightly-2024-05-01-000000', 'idms'],
    ['4.15.3-x86_64', 'idms'],
    ['v4.17.1', 'idms'],
    ['4.9', 'icsp'],
  ])('%s → %s (compared on major.minor)', (version, kind) => {
    const d = chooseMirrorSetKind(version);
    expect(d.kind).toBe(kind);
    expect(d.tagMirrors).toBe(kind === 'idms');
    expect(d.reason).toContain(version);
  });

  it('the user override wins, and says so', () => {
    expect(chooseMirrorSetKind('4.16', 'icsp')).toMatchObject({ kind: 'icsp', tagMirrors: false });
    expect(chooseMirrorSetKind('4.13', 'idms')).toMatchObject({ kind: 'idms', tagMirrors: true });
    expect(chooseMirrorSetKind('4.13', 'idms').reason).toContain('mirror_set_kind');
    expect(chooseMirrorSetKind('4.16', 'itms')).toMatchObject({ kind: 'idms', only: 'itms' });
  });

  it('refuses IDMS/ITMS where the CRDs do not exist, and bad input, with a clear error', () => {
    expect(() => chooseMirrorSetKind('4.12.3', 'idms')).toThrow(/needs OpenShift 4.13/);
    expect(() => chooseMirrorSetKind('4.12.3', 'itms')).toThrow(MirrorSetError);
    expect(() => chooseMirrorSetKind('latest')).toThrow(/cannot read an OpenShift version/);
    expect(() => chooseMirrorSetKind('4.16', 'abc' as never)).toThrow(/not one of auto, idms, icsp, itms/);
  });

  it('never picks a kind the version does not understand', () => {
    for (let minor = 6; minor <= 20; minor++) {
      for (const kind of ['auto', 'idms', 'icsp', 'itms'] as const) {
        let d;
        try {
          d = chooseMirrorSetKind(`4.${minor}.0-rc.1`, kind);
        } catch {
          continue;
        }
        if (d.kind === 'idms') expect(versionCapabilities(`4.${minor}`).imageDigestMirrorSetAvailable).toBe(true);
      }
    }
  });

  it('parses version forms', () => {
    expect(parseOcpMinor('4.16.0-0.nightly-2024-05-01-000000')).toEqual({ major: 4, minor: 16 });
    expect(parseOcpMinor('4.15.3-x86_64')).toEqual({ major: 4, minor: 15 });
  });
});

describe('detectClusterMirrorSetKind', () => {
  it('IDMS when the CRD and IDMS objects exist', () => {
    expect(detectClusterMirrorSetKind({ crds: [IDMS_CRD], objects: ['ImageDigestMirrorSet'] }).kind).toBe('idms');
  });
  it('ICSP when only ICSPs exist, even though the CRD exists (never mix on 4.13/4.14)', () => {
    const d = detectClusterMirrorSetKind({ crds: [IDMS_CRD, 'foo.example.com'], objects: ['ImageContentSourcePolicy', 'ImageContentSourcePolicy'], version: '4.14.2' });
    expect(d.kind).toBe('icsp');
    expect(d.reason).toMatch(/mixed kinds/);
  });
  it('ICSP when the CRD does not exist', () => {
    expect(detectClusterMirrorSetKind({ crds: ['x.example.com'], objects: [] }).kind).toBe('icsp');
  });
  it('IDMS on a fresh cluster that has the CRD', () => {
    expect(detectClusterMirrorSetKind({ crds: [IDMS_CRD], objects: [] })).toMatchObject({ kind: 'idms' });
  });
  it('IDMS when both kinds already coexist', () => {
    expect(detectClusterMirrorSetKind({ crds: [IDMS_CRD], objects: ['ImageContentSourcePolicy', 'ImageTagMirrorSet'] }).kind).toBe('idms');
  });
});
