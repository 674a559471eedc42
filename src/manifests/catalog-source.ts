/**
 * CatalogSource objects for mirrored operator catalogs (openshift-marketplace, grpc) with oc-mirror's
 * naming rules, and the OperatorHub switch that disables the default (online) catalogs.
 */
import { MirrorSetError } from '../core/errors.js';
import { splitImageSpec } from './image-spec.js';
import type { MirroredImage } from './oc-mirror-groups.js';

export const MARKETPLACE_NAMESPACE = 'openshift-marketplace';
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;

export function isDnsLabel(name: string): boolean {
  return name.length <= 63 && DNS_LABEL.test(name);
}

function toDnsLabel(name: string): string {
  let n = name.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/-+/g, '-');
  if (n.length > 63) n = n.slice(0, 63);
  return n.replace(/-+$/, '');
}

/**
 * oc-mirror v2: `cs-<last path component of the destination repo>-<suffix>`, suffix = first 12 hex digits
 * of the digest for a by-digest destination, else the tag cut to 12 characters in [a-z0-9-] (`0` when
 * empty); dots become dashes. Anything still not a DNS-1035 label is mapped to one.
 */
export function catalogSourceNameV2(destination: string, prefix = 'cs-'): string {
  const p = splitImageSpec(destination);
  const last = p.path === '' ? p.host : p.path.slice(p.path.lastIndexOf('/') + 1);
  let suffix: string;
  if (p.digest !== undefined && p.tag === undefined) {
    suffix = p.digest.slice(p.digest.indexOf(':') + 1).slice(0, 12);
  } else {
    suffix = (p.tag ?? '').slice(0, 12).toLowerCase().replace(/[^a-z0-9-]/g, '-');
    if (suffix === '') suffix = '0';
  }
  const name = `${prefix}${last}-${suffix}`.replace(/\./g, '-');
  return isDnsLabel(name) ? name : toDnsLabel(name);
}

/** oc-mirror v1: `cs-` + the catalog path (after its registry) mapped to a DNS-1035 label of ≤ 63 characters. */
export function catalogSourceNameV1(path: string): string {
  const mapped = path.toLowerCase().replace(/[^a-z0-9]/g, '-');
  let name = `cs-${mapped}`.replace(/-+/g, '-');
  if (name.length > 63) name = name.slice(0, 63);
  if (name.endsWith('-')) name = name.length >= 62 ? `${name.slice(0, 61).replace(/-+$/, '')}-0` : `${name}0`;
  return name;
}

/** v1 CatalogSource file names for several catalogs: repeated names get -1, -2, … */
export function catalogSourceFilesV1(catalogs: readonly { source: string }[]): string[] {
  const count = new Map<string, number>();
  return catalogs.map((c) => {
    const path = splitImageSpec(c.source).path;
    const base = catalogSourceNameV1(path);
    const n = count.get(base) ?? 0;
    count.set(base, n + 1);
    return `catalogSource-${n === 0 ? base : `${base}-${n}`}.yaml`;
  });
}

export interface CatalogSourceOptions {
  /** The mirrored catalog image (tag or digest). */
  image: string;
  /** Defaults to the oc-mirror v2 name derived from `image`. */
  name?: string;
  namespace?: string;
  displayName?: string;
  publisher?: string;
  /** Go duration, e.g. `30m`: how often OLM polls the catalog image for updates. */
  pollInterval?: string;
  priority?: number;
  annotations?: Record<string, string>;
}

export interface CatalogSource {
  apiVersion: 'operators.coreos.com/v1alpha1';
  kind: 'CatalogSource';
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    sourceType: 'grpc';
    image: string;
    displayName?: string;
    publisher?: string;
    priority?: number;
    updateStrategy?: { registryPoll: { interval: string } };
  };
}

export function buildCatalogSource(options: CatalogSourceOptions): CatalogSource {
  const name = options.name ?? catalogSourceNameV2(options.image);
  if (!isDnsLabel(name)) {
    throw new MirrorSetError('invalid-catalog-source-name', `CatalogSource name "${name}" is not a DNS label (lower-case letters, digits and '-', starting with a letter, at most 63 characters)`);
  }
  const p = splitImageSpec(options.image);
  if (p.path === '') throw new MirrorSetError('invalid-catalog-image', `catalog image "${options.image}" has no repository path`);
  const cs: CatalogSource = {
    apiVersion: 'operators.coreos.com/v1alpha1',
    kind: 'CatalogSource',
    metadata: { name, namespace: options.namespace ?? MARKETPLACE_NAMESPACE },
    spec: { sourceType: 'grpc', image: options.image },
  };
  if (options.annotations && Object.keys(options.annotations).length > 0) cs.metadata.annotations = { ...options.annotations };
  if (options.displayName !== undefined) cs.spec.displayName = options.displayName;
  if (options.publisher !== undefined) cs.spec.publisher = options.publisher;
  if (options.priority !== undefined) cs.spec.priority = options.priority;
  if (options.pollInterval !== undefined) {
    if (!GO_DURATION.test(options.pollInterval)) {
      throw new MirrorSetError('invalid-poll-interval', `registry poll interval "${options.pollInterval}" is not a duration`, { hint: 'use a Go duration such as 30m, 1h or 10m0s' });
    }
    cs.spec.updateStrategy = { registryPoll: { interval: options.pollInterval } };
  }
  return cs;
}

/** oc-mirror v2: one CatalogSource per mirrored catalog copy that is not in the local cache registry. */
export function catalogSourcesForMirroredImages(images: readonly MirroredImage[], options: { localCacheRegistry?: string } = {}): CatalogSource[] {
  return images
    .filter((i) => i.type === 'operatorCatalog' && (options.localCacheRegistry === undefined || splitImageSpec(i.destination).host !== options.localCacheRegistry))
    .map((i) => buildCatalogSource({ image: i.destination }));
}

export interface OperatorHub {
  apiVersion: 'config.openshift.io/v1';
  kind: 'OperatorHub';
  metadata: { name: 'cluster' };
  spec: { disableAllDefaultSources: boolean };
}

/** The cluster OperatorHub object; `disableAllDefaultSources: true` in disconnected mode. */
export function buildOperatorHub(disableAllDefaultSources = true): OperatorHub {
  return { apiVersion: 'config.openshift.io/v1', kind: 'OperatorHub', metadata: { name: 'cluster' }, spec: { disableAllDefaultSources } };
}
