/**
 * The shapes every transport speaks. A transport (registry repository, OCI layout directory, OCI archive) is a
 * source, a destination, or both; the copy engine only talks to these interfaces (containers/image's split).
 */
import type { Readable } from 'node:stream';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
  'os.version'?: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: Platform;
  annotations?: Record<string, string>;
  urls?: string[];
}

/** Manifest bytes exactly as stored (digests are computed over these bytes, never re-serialised). */
export interface ManifestBlob {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
  size?: number;
}

export interface ImageSource {
  /** For messages: `docker://host/repo` or `oci:/dir`. */
  readonly description: string;
  /** Digest of a tag/digest without downloading it (HEAD, or the layout's index); undefined when absent. */
  headManifest(ref: string, signal?: AbortSignal): Promise<ManifestHead | undefined>;
  /** The manifest bytes; when `ref` is a digest the bytes are verified against it. Throws when absent. */
  getManifest(ref: string, signal?: AbortSignal): Promise<ManifestBlob>;
  /**
   * The raw blob bytes as a stream. NOT verified here: the copy engine wraps every stream in a verifier. Registry
   * sources resume interrupted downloads with Range requests.
   */
  getBlob(desc: Descriptor, options?: { signal?: AbortSignal; /** retry failed requests here (default true); the copy engine retries whole transfers itself */ retry?: boolean }): Promise<Readable>;
  close(): Promise<void>;
}

export interface ImageDestination {
  readonly description: string;
  /** Same value ⇔ same blob store (a registry host, a layout directory): blobs are de-duplicated per store. */
  readonly storeKey: string;
  /** The repository inside the store ('' for a layout). */
  readonly repository: string;
  headManifest(ref: string, signal?: AbortSignal): Promise<ManifestHead | undefined>;
  hasBlob(desc: Descriptor, signal?: AbortSignal): Promise<boolean>;
  /** Cross-repository mount from another repository of the same store; false when the store did not mount it. */
  mountBlob?(desc: Descriptor, fromRepository: string, signal?: AbortSignal): Promise<boolean>;
  /**
   * Store a blob from a stream that errors (DigestMismatch) before its last chunk when the bytes are wrong:
   * implementations must commit only after the stream ended cleanly, and abort on error.
   */
  putBlob(desc: Descriptor, data: Readable, signal?: AbortSignal): Promise<void>;
  /**
   * Store a manifest under a tag or its digest. Callers push it only after every blob/child it references.
   * `child` marks a manifest referenced by an index (an OCI layout does not list those in index.json).
   */
  putManifest(ref: string, manifest: ManifestBlob, options?: { signal?: AbortSignal; child?: boolean }): Promise<void>;
  close(): Promise<void>;
}
