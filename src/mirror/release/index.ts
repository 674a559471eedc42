// Release payloads: read image-references safely from the release image, plan the `oc adm release mirror`
// layout, check whether a mirror is already complete, and the instructions/mirror sets oc prints.
export * from './image-references.js';
export * from './plan.js';
export * from './layer-walk.js';
export * from './image-read.js';
export * from './payload.js';
export * from './completeness.js';
export * from './open-release.js';
export * from './release-skip.js';
