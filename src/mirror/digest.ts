/**
 * Digests: validation and hashing of buffers (manifests, configs). Streamed blobs are verified by ./verified-blob.ts.
 */
import { createHash } from 'node:crypto';
import { DigestMismatch, RegistryError } from '../core/errors.js';

const SHA256 = /^sha256:[a-f0-9]{64}$/;

export function isDigest(s: string): boolean {
  return SHA256.test(s);
}

export function assertDigest(s: string, where: string): void {
  if (SHA256.test(s)) return;
  if (/^sha(384|512):/.test(s)) {
    throw new RegistryError('digest-unsupported', `${where}: digest algorithm of ${s} is not supported`, { hint: 'only sha256 digests are supported' });
  }
  throw new RegistryError('digest-invalid', `${where}: ${JSON.stringify(s)} is not a valid sha256 digest`, { hint: 'a digest looks like sha256:<64 hex characters>' });
}

export function sha256Digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export interface VerifyTarget {
  digest: string;
  size: number;
  /** Image the blob belongs to (for the error message). */
  image: string;
}

/** Check that buffered bytes (a manifest) hash to the expected digest. */
export function verifyBytes(bytes: Buffer, digest: string, image: string): void {
  const got = sha256Digest(bytes);
  if (got !== digest) {
    throw new DigestMismatch('digest-mismatch', `manifest ${digest} of ${image}: content hashes to ${got}`, {
      hint: 'the source served a manifest that does not match its digest; check the source registry or any proxy in between',
      location: { image, blob: digest },
    });
  }
}
