import { describe, expect, it } from 'vitest';
import { buildCatalogSource, buildOperatorHub, catalogSourceNameV2, isDnsLabel } from '../../src/manifests/index.js';
import { MirrorSetError } from '../../src/core/errors.js';
import { schemaErrors } from './crd-schemas.js';

describe('CatalogSource for a mirrored catalog', () => {
  it('is named like oc-mirror v2 from the destination repository and tag or digest', () => {
    expect(catalogSourceNameV2('reg.local:5000/redhat/redhat-operator-index:v4.16')).toBe('cs-redhat-operator-index-v4-16');
    expect(catalogSourceNameV2(`reg.local/redhat/certified-operator-index@sha256:${'ab12'.repeat(16)}`)).toBe('cs-certified-operator-index-ab12ab12ab12');
    expect(catalogSourceNameV2('reg.local/x/index:V1.0-Pruned-Long-Tag')).toBe('cs-index-v1-0-pruned');
    expect(catalogSourceNameV2('reg.local/x/index')).toBe('cs-index-0');
  });

  it('always gives a DNS label, even from names oc-mirror would refuse', () => {
    for (const image of ['reg.local/x/My_Index:v1', `reg.local/x/${'very-long-catalog-name-'.repeat(4)}:v4.16`, 'reg.local/x/index:__']) {
      const name = catalogSourceNameV2(image);
      expect(isDnsLabel(name), name).toBe(true);
    }
  });

  it('builds an openshift-marketplace grpc CatalogSource with an optional poll interval', () => {
    const cs = buildCatalogSource({ image: 'reg.local:5000/redhat/redhat-operator-index:v4.16', pollInterval: '30m', displayName: 'Red Hat Operators (mirror)' });
    expect(cs).toEqual({
      apiVersion: 'operators.coreos.com/v1alpha1',
      kind: 'CatalogSource',
      metadata: { name: 'cs-redhat-operator-index-v4-16', namespace: 'openshift-marketplace' },
      spec: { sourceType: 'grpc', image: 'reg.local:5000/redhat/redhat-operator-index:v4.16', displayName: 'Red Hat Operators (mirror)', updateStrategy: { registryPoll: { interval: '30m' } } },
    });
    expect(schemaErrors('CatalogSource', cs)).toEqual([]);
  });

  it('refuses a bad name or poll interval with a clear error', () => {
    expect(() => buildCatalogSource({ image: 'reg.local/x/i:1', name: 'Mirrored_Operators' })).toThrow(/not a DNS label/);
    expect(() => buildCatalogSource({ image: 'reg.local/x/i:1', pollInterval: 'every 30 minutes' })).toThrow(MirrorSetError);
    expect(() => buildCatalogSource({ image: 'reg.local:5000', name: 'x' })).toThrow(/no repository path/);
  });

  it('OperatorHub disables the default sources in disconnected mode', () => {
    expect(buildOperatorHub()).toEqual({ apiVersion: 'config.openshift.io/v1', kind: 'OperatorHub', metadata: { name: 'cluster' }, spec: { disableAllDefaultSources: true } });
    expect(buildOperatorHub(false).spec.disableAllDefaultSources).toBe(false);
  });
});
