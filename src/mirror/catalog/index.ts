// Operator catalogs: read a file-based catalog from a catalog image, prune it like oc-mirror v2, list the
// images to mirror, rebuild and push the pruned catalog image.
export * from './fbc-model.js';
export * from './version-range.js';
export { buildChannelGraph, filterByVersionRange, ChannelGraphError, type ChannelGraph } from './channel-graph.js';
export * from './filter-config.js';
export * from './filter.js';
export * from './validate.js';
export * from './fbc-parse.js';
export * from './fbc-write.js';
export * from './image-fs.js';
export * from './catalog-image.js';
export * from './related-images.js';
export * from './layer-build.js';
export * from './rebuild.js';
export * from './open-catalog.js';
export * from './dci-config.js';
export * from './plan.js';
export * from './fbc-dir.js';
