/**
 * Open sources and destinations from `docker://`, `oci:` and `oci-archive:` locations. One RegistryClient serves
 * every registry; one OciLayout object per directory (so index.json writes are serialised).
 */
import { resolve } from 'node:path';
import { parseImageLocation, type ImageLocation } from '../core/image-reference.js';
import { RegistryClient } from './registry/client.js';
import type { RegistryRepository } from './registry/repository.js';
import { OciLayout } from './oci-layout/layout.js';
import { OciArchiveSource, OciArchiveDestination } from './oci-layout/archive.js';
import type { ImageDestination, ImageSource } from './types.js';

export interface Opened<T> {
  transport: T;
  /** Tag or digest inside the transport; undefined when the location names none. */
  tag?: string;
  digest?: string;
  /** Display name, e.g. docker://quay.io/ns/repo:tag */
  name: string;
  location: ImageLocation;
}

export class TransportSet {
  private readonly layouts = new Map<string, OciLayout>();
  private readonly archives = new Map<string, OciArchiveSource>();
  private readonly archiveDests = new Map<string, OciArchiveDestination>();
  private readonly repos = new Map<string, RegistryRepository>();

  constructor(readonly client: RegistryClient) {}

  private layout(dir: string, create: boolean): OciLayout {
    const key = resolve(dir);
    let l = this.layouts.get(key);
    if (!l) {
      l = new OciLayout(dir, { create });
      this.layouts.set(key, l);
    }
    return l;
  }

  private repo(registry: string, repository: string, write: boolean): RegistryRepository {
    const key = `${write ? 'w' : 'r'} ${registry}/${repository}`;
    let r = this.repos.get(key);
    if (!r) {
      r = this.client.repository(registry, repository);
      r.writeIntent = write;
      this.repos.set(key, r);
    }
    return r;
  }

  source(input: string): Opened<ImageSource> {
    const loc = parseImageLocation(input);
    if (loc.transport === 'docker') return { transport: this.repo(loc.ref.registry, loc.ref.repository, false), tag: loc.ref.tag, digest: loc.ref.digest, name: input, location: loc };
    if (loc.transport === 'oci') return { transport: this.layout(loc.dir, false), tag: loc.tag, digest: loc.digest, name: input, location: loc };
    const key = resolve(loc.file);
    let a = this.archives.get(key);
    if (!a) {
      a = new OciArchiveSource(loc.file);
      this.archives.set(key, a);
    }
    return { transport: a, tag: loc.tag, digest: loc.digest, name: input, location: loc };
  }

  destination(input: string): Opened<ImageDestination> {
    const loc = parseImageLocation(input);
    if (loc.transport === 'docker') return { transport: this.repo(loc.ref.registry, loc.ref.repository, true), tag: loc.ref.tag, digest: loc.ref.digest, name: input, location: loc };
    if (loc.transport === 'oci') return { transport: this.layout(loc.dir, true), tag: loc.tag, digest: loc.digest, name: input, location: loc };
    const key = resolve(loc.file);
    let a = this.archiveDests.get(key);
    if (!a) {
      a = new OciArchiveDestination(loc.file);
      this.archiveDests.set(key, a);
    }
    return { transport: a, tag: loc.tag, digest: loc.digest, name: input, location: loc };
  }

  /** Flush layouts and pack archive destinations. */
  async close(): Promise<void> {
    for (const l of this.layouts.values()) await l.close();
    for (const a of this.archives.values()) await a.close();
    for (const a of this.archiveDests.values()) await a.close();
  }
}
