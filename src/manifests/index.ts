/**
 * Mirror sets and node registry configuration as pure functions: IDMS/ITMS/ICSP by version, install-config
 * mirror sources, CatalogSources, registries.conf as the machine-config-operator renders it, and where a
 * pull goes. File reading lives in ./loaders.ts (not exported here).
 */
export * from './types.js';
export { MIRROR_PATTERN, SOURCE_PATTERN, isValidMirrorLocation, isValidMirrorSource } from './patterns.js';
export { parseOcpMinor, compareMinor, chooseMirrorSetKind, versionCapabilities } from './version.js';
export type { OcpMinor, MirrorSetKindOverride, MirrorSetKindDecision, VersionCapabilities } from './version.js';
export { detectClusterMirrorSetKind, IDMS_CRD } from './cluster-detect.js';
export type { ClusterMirrorState, ClusterKindDecision } from './cluster-detect.js';
export { topoSort } from './topo-order.js';
export { mergeMirrorSets, mergeDigestMirrorSets, mirrorsContainARealMirror } from './merge.js';
export type { MergedMirrorSet } from './merge.js';
export { isValidRegistriesConfScope, scopeIsNestedInsideScope, mirrorsAdjustedForNestedScope, NestedScopeError } from './scopes.js';
export { findMirrorConfigProblem, findDuplicateMirror, assertMirrorConfigValid } from './validate.js';
export type { MirrorConfigProblem, MirrorConfigProblemCode, MirrorConfigInput } from './validate.js';
export { baseRegistriesConf, editRegistriesConf, registriesConfToToml, renderRegistriesConf, registryScope } from './registries-conf.js';
export type { RegistriesConf, RegistryEntry, RegistryMirror, PullFromMirror, EditRegistriesInput } from './registries-conf.js';
export { parseRegistriesConf, normalizeRegistriesConf, mergeRegistriesConfs, parseRegistryLocation, RegistriesConfError } from './registries-conf-load.js';
export type { RegistriesConfData, RegistriesConfErrorCode } from './registries-conf-load.js';
export { parseNormalizedReference, parseCanonicalReference, formatPullReference, isDigested, ReferenceParseError } from './reference.js';
export type { PullReference } from './reference.js';
export { splitImageSpec } from './image-spec.js';
export type { ImageSpecParts } from './image-spec.js';
export { refMatchingPrefix, refMatchingSubdomainPrefix, findRegistry, registryFinder, rewriteReference, pullSourcesFromReference, RewriteError } from './pull-sources.js';
export type { PullSource, SkippedMirror } from './pull-sources.js';
export { resolvePullSources, resolvePullSourcesFromMirrorSets, createPullResolver } from './resolve.js';
export type { ResolveResult, ResolvedLocation } from './resolve.js';
export { buildMirrorSets, MAX_OBJECT_BYTES, inferMappingType, mirrorScope, makeObject, collectMirrorSets } from './build-mirror-sets.js';
export type { MirrorMapping, BuildMirrorSetsOptions, MirrorSetBuild } from './build-mirror-sets.js';
export { groupMirroredImages, ocMirrorSetFiles, ocMirrorScope, categoryOfType } from './oc-mirror-groups.js';
export type { MirroredImage, MirrorSetGroup, MirrorCategory, OcMirrorImageType } from './oc-mirror-groups.js';
export { installConfigSources, pemTrustBundle, dedupeSortSources, releaseMirrorEntries, releaseMirrorInstructions } from './install-config.js';
export type { InstallConfigSource, InstallConfigMirrorFragment, InstallConfigSourcesOptions, TrustBundleOrigin } from './install-config.js';
export {
  buildCatalogSource,
  buildOperatorHub,
  catalogSourceNameV1,
  catalogSourceNameV2,
  catalogSourceFilesV1,
  catalogSourcesForMirroredImages,
  isDnsLabel,
  MARKETPLACE_NAMESPACE,
} from './catalog-source.js';
export type { CatalogSource, CatalogSourceOptions, OperatorHub } from './catalog-source.js';
export { migrateIcspToIdms } from './migrate-icsp.js';
export { validBlockedRegistries } from './blocked-payload.js';
export type { BlockedRegistriesResult } from './blocked-payload.js';
export { asMirrorSetObject } from './objects.js';
export { toYaml, parseYamlDocuments } from './yaml.js';
