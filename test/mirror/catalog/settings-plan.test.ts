// Agent settings → filter config, and where catalog content lands in the local registry.
import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../../src/core/errors.js';
import { catalogImageDestination, filterConfigFromDci, prunedCatalogDestination } from '../../../src/mirror/catalog/index.js';

describe('filterConfigFromDci', () => {
  it('takes opm_mirror_list as a dict or a list, adds dci_operators of this catalog', () => {
    expect(
      filterConfigFromDci({
        opm_mirror_list: { 'sriov-network-operator': { channel: 'stable' }, 'local-storage-operator': null, 'odf-operator': { minVersion: '4.16.0', catalog: 'other-index' } },
        dci_operators: [{ name: 'local-storage-operator', catalog_source: 'mirrored' }, { name: 'metallb-operator', catalog_source: 'mirrored' }, { name: 'x', catalog_source: 'community' }],
        catalogSourceName: 'mirrored',
        catalogImage: 'redhat-index',
      }),
    ).toEqual({
      packages: [
        { name: 'sriov-network-operator', defaultChannel: 'stable', channels: [{ name: 'stable' }] },
        { name: 'local-storage-operator' },
        { name: 'metallb-operator' },
      ],
    });
    expect(filterConfigFromDci({ opm_mirror_list: ['a', 'b'], versions: 'all' })).toEqual({ packages: [{ name: 'a' }, { name: 'b' }], full: true });
    expect(filterConfigFromDci({ opm_mirror_list: { a: { min_version: '1.0.0', max_version: '2.0.0' } } })).toEqual({ packages: [{ name: 'a', minVersion: '1.0.0', maxVersion: '2.0.0' }] });
  });
  it('refuses malformed settings with a clear error', () => {
    expect(() => filterConfigFromDci({ opm_mirror_list: 'sriov' })).toThrow(SettingsError);
    expect(() => filterConfigFromDci({ opm_mirror_list: [{ name: 'x' }] })).toThrow(/opm_mirror_list\[0\] must be a package name/);
    expect(() => filterConfigFromDci({ dci_operators: [{ channel: 'x' }] })).toThrow(/dci_operators\[0\] has no name/);
  });
});

describe('catalog destinations', () => {
  const t = { localRegistry: 'mirror.lab:5000', localRepo: 'olm' };
  it('keep the repository path and the digest or tag', () => {
    expect(catalogImageDestination(`registry.redhat.io/openshift4/ose-sriov@sha256:${'a'.repeat(64)}`, t)).toBe('mirror.lab:5000/olm/openshift4/ose-sriov');
    expect(catalogImageDestination('quay.io/ns/img:1.2', { localRegistry: 'm:5000' })).toBe('m:5000/ns/img:1.2');
    expect(prunedCatalogDestination('registry.redhat.io/redhat/redhat-operator-index:v4.16', t)).toBe('mirror.lab:5000/olm/redhat/redhat-operator-index:v4.16');
    expect(prunedCatalogDestination('registry.redhat.io/redhat/redhat-operator-index:v4.16', { ...t, targetTag: 'v4.16-pruned' })).toBe('mirror.lab:5000/olm/redhat/redhat-operator-index:v4.16-pruned');
    expect(prunedCatalogDestination(`q.io/ns/idx@sha256:${'b'.repeat(64)}`, t)).toBe(`mirror.lab:5000/olm/ns/idx:sha256-${'b'.repeat(64)}`);
  });
});
