// Test-side import of the mirror library's public API (one place to change if it moves).
export * from '../../src/mirror/index.js';
export type { MirrorEvent } from '../../src/core/events.js';
