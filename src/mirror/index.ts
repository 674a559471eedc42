/**
 * The mirror library's public API (see ./README.md): references, the registry client, transports (registry,
 * OCI layout, OCI archive), the copy engine, the image reader and the verifier.
 */
export { parseReference, formatReference, parseImageLocation, formatImageLocation, apiHost, DOCKER_HUB } from '../core/image-reference.js';
export type { ImageReference, ImageLocation } from '../core/image-reference.js';
export type { Descriptor, Platform, ManifestBlob, ManifestHead, ImageSource, ImageDestination } from './types.js';
export { MEDIA_TYPES, MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, MAX_CONFIG_BYTES, parseManifest, isIndexMediaType } from './media-types.js';
export type { ParsedManifest } from './media-types.js';
export { isDigest, sha256Digest, verifyBytes } from './digest.js';
export { VerifiedBlob } from './verified-blob.js';
export { RegistryClient, type RegistryClientOptions } from './registry/client.js';
export { RegistryRepository } from './registry/repository.js';
export { CredentialStore, normalizeAuthKey, type Credential, type AuthEntries } from './registry/credentials.js';
export { DEFAULT_RETRY, type RetryPolicy } from './registry/retry.js';
export { OciLayout, REF_NAME } from './oci-layout/layout.js';
export { OciArchiveSource, OciArchiveDestination, packLayout, extractArchive, scanTar } from './oci-layout/archive.js';
export { TransportSet } from './transports.js';
export { copyImages, assertCopySucceeded, CopyEngine, type CopyPair, type CopyOptions } from './copy/copy-images.js';
export { summarizeReport, formatBytes, type CopyReport, type ImageResult, type CopyFailure } from './copy/report.js';
export { parsePlatforms, platformMatches, platformString } from './copy/platforms.js';
export { parseMapping } from './copy/mapping.js';
export { ImageReader, type ResolvedImage } from './image-reader.js';
export { verifyImages, type VerifyReport, type VerifyProblem } from './verify.js';

/** Convenience: a registry client (one per run; share it between copies to reuse connections and tokens). */
import { RegistryClient, type RegistryClientOptions } from './registry/client.js';
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  return new RegistryClient(options);
}
