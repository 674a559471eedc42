/**
 * The `source` / `mirrors[]` validation patterns of the ImageDigestMirrorSet and ImageTagMirrorSet CRDs
 * (openshift/api), which the machine-config-operator also applies to ImageContentSourcePolicy entries at
 * render time. Copied verbatim; test/manifests/schema.test.ts checks they still equal the CRD files.
 */
export const MIRROR_PATTERN =
  '^((?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?)(?:(?:/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$';
export const SOURCE_PATTERN =
  '^\\*(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+$|' + MIRROR_PATTERN;

const MIRROR_RE = new RegExp(MIRROR_PATTERN, 'u');
const SOURCE_RE = new RegExp(SOURCE_PATTERN, 'u');

/** A valid mirror-set `source`: host[:port][/path…] or a wildcard host `*.domain`. */
export function isValidMirrorSource(value: string): boolean {
  return SOURCE_RE.test(value);
}

/** A valid mirror location: host[:port][/path…] (no wildcard, tag, digest, scheme or trailing slash). */
export function isValidMirrorLocation(value: string): boolean {
  return MIRROR_RE.test(value);
}
