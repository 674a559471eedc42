/**
 * Digests: validation, hashing of buffers, and a verifying stream. The verifier holds back the most recent chunk
 * and releases it only once the whole stream has hashed to the expected digest and size, so a destination that
 * commits on end-of-stream never receives all the bytes of a corrupt blob: a mismatch becomes a stream error
 * before the end, and the upload is aborted (nothing committed).
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
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

export class VerifyingStream extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private held: Buffer | undefined;
  bytes = 0;

  constructor(private readonly target: VerifyTarget, private readonly onBytes?: (n: number) => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.target.size) {
      cb(this.mismatch(`more than the ${this.target.size} bytes announced`));
      return;
    }
    this.hash.update(chunk);
    this.onBytes?.(chunk.length);
    const prev = this.held;
    this.held = chunk;
    cb(null, prev);
  }

  override _flush(cb: TransformCallback): void {
    if (this.bytes !== this.target.size) {
      cb(this.mismatch(`${this.bytes} bytes instead of the ${this.target.size} announced`));
      return;
    }
    const got = `sha256:${this.hash.digest('hex')}`;
    if (got !== this.target.digest) {
      cb(this.mismatch(`content hashes to ${got}`));
      return;
    }
    cb(null, this.held);
  }

  private mismatch(what: string): DigestMismatch {
    return new DigestMismatch('digest-mismatch', `blob ${this.target.digest} of ${this.target.image}: ${what}; not committed`, {
      hint: 'the source served bytes that do not match the digest; the blob was not stored — retry, and check the source registry or any proxy in between',
      location: { image: this.target.image, blob: this.target.digest },
    });
  }
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
