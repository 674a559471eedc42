/**
 * One repository on a registry, as an image source and destination (Distribution API v2):
 * manifests HEAD/GET/PUT, blobs HEAD/GET (streamed, resumed with Range after a dropped connection), uploads
 * (POST + monolithic PUT; PATCH + PUT when the host refuses monolithic), cross-repository mount, tag listing.
 */
import type { Readable } from 'node:stream';
import { RegistryError } from '../../core/errors.js';
import { sha256Digest, isDigest, verifyBytes } from '../digest.js';
import { MANIFEST_ACCEPT, MAX_MANIFEST_BYTES, MAX_CONFIG_BYTES } from '../media-types.js';
import type { Descriptor, ImageDestination, ImageSource, ManifestBlob, ManifestHead } from '../types.js';
import { statusError, readErrorBody, type RegistryClient } from './client.js';
import { relayBlob, UPLOAD_MODE_REFUSED } from './blob-relay.js';
import { RegistryHttpError, withRetry } from './retry.js';
import { ResumingBlobStream, type OpenedBody } from './resuming-stream.js';

export class RegistryRepository implements ImageSource, ImageDestination {
  readonly description: string;
  readonly storeKey: string;

  constructor(
    private readonly client: RegistryClient,
    readonly registry: string,
    readonly repository: string,
  ) {
    this.description = `docker://${registry}/${repository}`;
    this.storeKey = `docker://${registry}`;
  }

  private get pull(): string[] {
    return [`repository:${this.repository}:pull`];
  }

  private get push(): string[] {
    return [`repository:${this.repository}:pull,push`];
  }

  /** Scopes for a repository we both read and write (a destination): one token serves HEADs and uploads. */
  scopesFor(write: boolean): string[] {
    return write ? this.push : this.pull;
  }

  private image(ref?: string): string {
    return ref ? `${this.registry}/${this.repository}${isDigest(ref) ? '@' : ':'}${ref}` : `${this.registry}/${this.repository}`;
  }

  /** Destinations ask with push scope so the same token is reused for the uploads that follow. */
  writeIntent = false;

  async headManifest(ref: string, signal?: AbortSignal): Promise<ManifestHead | undefined> {
    const res = await this.client.request(this.registry, {
      method: 'HEAD', path: `/v2/${this.repository}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT },
      scopes: this.scopesFor(this.writeIntent), signal, what: `HEAD manifest ${this.image(ref)}`,
    });
    await res.body.dump();
    if (res.statusCode === 404) return undefined;
    if (res.statusCode !== 200) throw await statusError(res, this.registry, 'HEAD manifest', this.image(ref));
    const digest = header(res.headers['docker-content-digest']) ?? (isDigest(ref) ? ref : undefined);
    if (!digest) return undefined;
    const len = header(res.headers['content-length']);
    return { digest, mediaType: (header(res.headers['content-type']) ?? '').split(';')[0], size: len ? Number(len) : undefined };
  }

  async getManifest(ref: string, signal?: AbortSignal): Promise<ManifestBlob> {
    const where = this.image(ref);
    // The body read and the digest check are inside the retry too: a connection dropped (or bytes damaged) while
    // the manifest streams is as transient as a 503 before it.
    const { bytes, res } = await withRetry(
      async () => {
        const res = await this.client.request(this.registry, {
          method: 'GET', path: `/v2/${this.repository}/manifests/${ref}`, headers: { accept: MANIFEST_ACCEPT },
          scopes: this.scopesFor(this.writeIntent), signal, retry: false, what: `GET manifest ${where}`,
        });
        if (res.statusCode !== 200) throw await statusError(res, this.registry, 'GET manifest', where);
        const bytes = await readCapped(res.body, MAX_MANIFEST_BYTES, header(res.headers['content-length']), `manifest of ${where}`);
        if (isDigest(ref)) verifyBytes(bytes, ref, where);
        const claimed = header(res.headers['docker-content-digest']);
        if (claimed && isDigest(claimed) && claimed !== sha256Digest(bytes)) verifyBytes(bytes, claimed, where);
        return { bytes, res };
      },
      this.client.retryPolicy,
      { signal },
    );
    const digest = sha256Digest(bytes);
    let mediaType = (header(res.headers['content-type']) ?? '').split(';')[0].trim();
    try {
      const mt = (JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown }).mediaType;
      if (typeof mt === 'string') mediaType = mt;
    } catch {
      // parseManifest reports invalid JSON with the image name
    }
    return { bytes, mediaType, digest };
  }

  /** A config (or any small JSON blob), verified and parsed. */
  async getJsonBlob<T = unknown>(desc: Descriptor, signal?: AbortSignal): Promise<T> {
    if (desc.size > MAX_CONFIG_BYTES) throw new RegistryError('blob-too-large', `config ${desc.digest} of ${this.image()} is ${desc.size} bytes (limit ${MAX_CONFIG_BYTES})`, { location: { image: this.image(), blob: desc.digest } });
    const stream = await this.getBlob(desc, { signal });
    const bytes = await readCapped(stream, MAX_CONFIG_BYTES, undefined, `blob ${desc.digest}`);
    verifyBytes(bytes, desc.digest, this.image());
    return JSON.parse(bytes.toString('utf8')) as T;
  }

  async getBlob(desc: Descriptor, options: { signal?: AbortSignal; retry?: boolean } = {}): Promise<Readable> {
    const first = await this.openBlob(desc, 0, options.signal, options.retry ?? true);
    return new ResumingBlobStream(first, desc.size, (offset) => this.openBlob(desc, offset, options.signal, true), this.client.retryPolicy, options.signal);
  }

  private async openBlob(desc: Descriptor, offset: number, signal: AbortSignal | undefined, retry: boolean): Promise<OpenedBody> {
    const res = await this.client.request(this.registry, {
      method: 'GET', path: `/v2/${this.repository}/blobs/${desc.digest}`,
      headers: offset > 0 ? { range: `bytes=${offset}-` } : {},
      scopes: this.scopesFor(this.writeIntent), signal, retry, what: `GET blob ${desc.digest} of ${this.image()}`,
    });
    if (res.statusCode === 206 && offset > 0) return { body: res.body, skip: 0 };
    if (res.statusCode === 200) return { body: res.body, skip: offset };
    throw await statusError(res, this.registry, 'GET blob', this.image(), desc.digest);
  }

  async hasBlob(desc: Descriptor, signal?: AbortSignal): Promise<boolean> {
    const res = await this.client.request(this.registry, {
      method: 'HEAD', path: `/v2/${this.repository}/blobs/${desc.digest}`,
      scopes: this.scopesFor(this.writeIntent), signal, what: `HEAD blob ${desc.digest} of ${this.image()}`,
    });
    await res.body.dump();
    if (res.statusCode === 200) return true;
    if (res.statusCode === 404) return false;
    throw await statusError(res, this.registry, 'HEAD blob', this.image(), desc.digest);
  }

  async mountBlob(desc: Descriptor, fromRepository: string, signal?: AbortSignal): Promise<boolean> {
    const q = new URLSearchParams({ mount: desc.digest, from: fromRepository });
    const res = await this.client.request(this.registry, {
      method: 'POST', path: `/v2/${this.repository}/blobs/uploads/?${q}`,
      scopes: [...this.push, `repository:${fromRepository}:pull`], signal, what: `mount blob ${desc.digest} into ${this.image()}`,
    });
    await res.body.dump();
    if (res.statusCode === 201) return true;
    if (res.statusCode === 202) {
      // The registry opened an ordinary upload session instead: close it, the caller uploads.
      const loc = header(res.headers.location);
      if (loc) await this.cancelUpload(loc);
      return false;
    }
    if (res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 404) return false;
    throw await statusError(res, this.registry, 'mount blob', this.image(), desc.digest);
  }

  /**
   * Is the blob here already, and if not, an upload session for it — in one request: a cross-repository mount
   * from this repository itself. The Distribution spec answers 201 when the blob can be mounted (it is linked here:
   * present) and otherwise opens an ordinary upload (202 + Location), which the PUT of the blob then uses. This
   * replaces HEAD + POST for every blob of a fresh mirror. A registry that answers anything else gets the plain
   * HEAD (and putBlob opens its own upload).
   */
  async probeUpload(desc: Descriptor, signal?: AbortSignal): Promise<{ present: boolean; location?: string }> {
    const q = new URLSearchParams({ mount: desc.digest, from: this.repository });
    const res = await this.client.request(this.registry, {
      method: 'POST', path: `/v2/${this.repository}/blobs/uploads/?${q}`,
      scopes: this.push, signal, what: `check blob ${desc.digest} in ${this.image()}`,
    });
    await res.body.dump();
    if (res.statusCode === 201) return { present: true };
    const loc = header(res.headers.location);
    if (res.statusCode === 202 && loc) return { present: false, location: new URL(loc, this.client.baseUrl(this.registry)).toString() };
    return { present: await this.hasBlob(desc, signal) };
  }

  private async startUpload(signal: AbortSignal | undefined, blob: string): Promise<string> {
    const res = await this.client.request(this.registry, {
      method: 'POST', path: `/v2/${this.repository}/blobs/uploads/`, scopes: this.push, signal, what: `start upload of ${blob} to ${this.image()}`,
    });
    await res.body.dump();
    if (res.statusCode !== 202 && res.statusCode !== 201) throw await statusError(res, this.registry, 'start upload', this.image(), blob);
    const loc = header(res.headers.location);
    if (!loc) throw new RegistryError('registry-protocol', `${this.registry} started an upload for ${this.image()} without a Location`, { location: { host: this.registry } });
    return new URL(loc, this.client.baseUrl(this.registry)).toString();
  }

  private async cancelUpload(location: string): Promise<void> {
    try {
      const url = new URL(location, this.client.baseUrl(this.registry)).toString();
      const res = await this.client.request(this.registry, { method: 'DELETE', path: url, scopes: this.push, retry: false, what: 'cancel upload' });
      await res.body.dump();
    } catch {
      // best effort: abandoned sessions expire on the registry
    }
  }

  /** Upload a blob (verified by the caller's stream); `opened` is an upload session from probeUpload, used once. */
  async putBlob(desc: Descriptor, data: Readable, signal?: AbortSignal, opened?: string): Promise<void> {
    const image = this.image();
    const location = opened ?? (await this.startUpload(signal, desc.digest));
    let streamError: unknown;
    data.on('error', (e) => (streamError ??= e));
    const chunked = this.client.useChunkedUploads(this.registry);
    try {
      let url = location;
      if (chunked) {
        const res = await this.client.request(this.registry, {
          method: 'PATCH', path: url, body: data, scopes: this.push, signal,
          headers: { 'content-type': 'application/octet-stream', 'content-length': String(desc.size), 'content-range': `0-${Math.max(0, desc.size - 1)}` },
          what: `upload ${desc.digest} to ${image}`,
        });
        await res.body.dump();
        if (res.statusCode !== 202) throw await statusError(res, this.registry, 'upload blob (PATCH)', image, desc.digest);
        url = new URL(header(res.headers.location) ?? url, this.client.baseUrl(this.registry)).toString();
      }
      const put = new URL(url);
      put.searchParams.set('digest', desc.digest);
      const res = await this.client.request(this.registry, {
        method: 'PUT', path: put.toString(), body: chunked ? '' : data, scopes: this.push, signal,
        headers: chunked ? { 'content-length': '0' } : { 'content-type': 'application/octet-stream', 'content-length': String(desc.size) },
        retry: chunked ? true : false,
        what: `upload ${desc.digest} to ${image}`,
      });
      if (res.statusCode === 201) {
        await res.body.dump();
        const got = header(res.headers['docker-content-digest']);
        if (got && got !== desc.digest) throw new RegistryError('registry-protocol', `${this.registry} stored ${desc.digest} of ${image} as ${got}`, { location: { host: this.registry, image, blob: desc.digest } });
        return;
      }
      if (!chunked && (res.statusCode === 405 || res.statusCode === 415 || res.statusCode === 501)) {
        // Monolithic PUT refused: use PATCH chunks from now on for this host; the retry re-sends the blob.
        const detail = await readErrorBody(res);
        this.client.preferChunkedUploads(this.registry);
        throw new RegistryHttpError('registry-upload-mode', `${this.registry} refused a monolithic upload (${res.statusCode} ${detail})`, res.statusCode, true, 0, { location: { host: this.registry, image, blob: desc.digest } });
      }
      throw await statusError(res, this.registry, 'upload blob', image, desc.digest);
    } catch (e) {
      data.destroy();
      await this.cancelUpload(location);
      // The verifier's error (digest mismatch) explains an aborted request better than the HTTP stack's "aborted".
      throw streamError ?? e;
    }
  }

  /**
   * Copy a blob from another registry repository into the upload session `location` (from probeUpload) through the
   * blob relay (./blob-relay.ts): one GET and one PUT on bare connections, hashed as it passes, the last bytes held
   * until the digest matched. false: the relay does not apply (a proxy, a source answering anything but 200 with the
   * blob's size, …) and nothing was sent — the session is still unused, for putBlob. Once the upload started, a
   * failure is an error and the session is cancelled.
   */
  async relayFrom(source: RegistryRepository, desc: Descriptor, location: string, image: string, options: { signal?: AbortSignal; onBytes?: (n: number) => void } = {}): Promise<boolean> {
    const put = new URL(location);
    put.searchParams.set('digest', desc.digest);
    const [from, to] = await Promise.all([source.blobEndpoint(desc), this.client.relayEndpoint(this.registry, this.push, put.toString())]);
    if (!from || !to) return false;
    try {
      const r = await relayBlob(this.client.rawPool(), from, to, { digest: desc.digest, size: desc.size, image }, {
        policy: this.client.retryPolicy,
        signal: options.signal,
        onBytes: options.onBytes,
        onRequest: (method, url, status) => this.client.noteRequest(method, url, status),
      });
      if (!r.relayed) return false;
      if (r.storedAs && r.storedAs !== desc.digest) {
        throw new RegistryError('registry-protocol', `${this.registry} stored ${desc.digest} of ${this.image()} as ${r.storedAs}`, { location: { host: this.registry, image: this.image(), blob: desc.digest } });
      }
      return true;
    } catch (e) {
      // Monolithic PUT refused: chunks from now on for this host (as putBlob does); the retry re-sends the blob.
      if (e instanceof RegistryHttpError && UPLOAD_MODE_REFUSED.has(e.status)) this.client.preferChunkedUploads(this.registry);
      await this.cancelUpload(location);
      throw e;
    }
  }

  /** This repository's blob URL for the relay, with the headers a GET of it carries; undefined if not relayable. */
  blobEndpoint(desc: Descriptor): ReturnType<RegistryClient['relayEndpoint']> {
    return this.client.relayEndpoint(this.registry, this.scopesFor(this.writeIntent), `/v2/${this.repository}/blobs/${desc.digest}`);
  }

  async putManifest(ref: string, manifest: ManifestBlob, options: { signal?: AbortSignal; child?: boolean } = {}): Promise<void> {
    const signal = options.signal;
    const where = this.image(ref);
    const res = await this.client.request(this.registry, {
      method: 'PUT', path: `/v2/${this.repository}/manifests/${ref}`, body: manifest.bytes,
      headers: { 'content-type': manifest.mediaType }, scopes: this.push, signal, what: `PUT manifest ${where}`,
    });
    if (res.statusCode !== 201 && res.statusCode !== 200) throw await statusError(res, this.registry, 'PUT manifest', where, manifest.digest);
    await res.body.dump();
    const got = header(res.headers['docker-content-digest']);
    if (got && got !== manifest.digest) {
      throw new RegistryError('registry-protocol', `${this.registry} stored manifest ${where} as ${got}, expected ${manifest.digest}`, { location: { host: this.registry, image: where } });
    }
  }

  /** Every tag (follows `Link: <...>; rel="next"` pagination). */
  async listTags(signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let path: string | undefined = `/v2/${this.repository}/tags/list?n=1000`;
    while (path) {
      const res = await this.client.request(this.registry, { method: 'GET', path, scopes: this.pull, signal, what: `list tags of ${this.image()}` });
      if (res.statusCode !== 200) throw await statusError(res, this.registry, 'list tags', this.image());
      const body = JSON.parse((await readCapped(res.body, 64 << 20, undefined, 'tag list')).toString('utf8')) as { tags?: string[] | null };
      tags.push(...(body.tags ?? []));
      const link = header(res.headers.link);
      const next = link ? /<([^>]+)>\s*;\s*rel="?next"?/.exec(link)?.[1] : undefined;
      path = next ? new URL(next, this.client.baseUrl(this.registry)).toString() : undefined;
    }
    return tags;
  }

  async close(): Promise<void> {
    // the client owns the connections
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Read a body whole, refusing more than `max` bytes (checked on Content-Length first, then while reading). */
export async function readCapped(body: AsyncIterable<unknown> & { destroy?: (e?: Error) => void }, max: number, contentLength: string | undefined, what: string): Promise<Buffer> {
  const tooBig = (n: number | string): RegistryError => new RegistryError('manifest-too-large', `${what} is larger than ${max} bytes (${n})`, { hint: 'this is not a normal manifest; check the reference' });
  if (contentLength && Number(contentLength) > max) {
    body.destroy?.();
    throw tooBig(contentLength);
  }
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    const b = c as Buffer;
    n += b.length;
    if (n > max) {
      body.destroy?.();
      throw tooBig(`${n}+`);
    }
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}
