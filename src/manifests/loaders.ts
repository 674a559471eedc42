/**
 * The only file of this family that touches the disk: reading mirror-set YAML files, mapping files and
 * registries.conf files for the CLI. Everything else in src/manifests is pure.
 */
import { readFile } from 'node:fs/promises';
import { MirrorSetError } from '../core/errors.js';
import type { MirrorMapping } from './build-mirror-sets.js';
import { asMirrorSetObject } from './objects.js';
import { mergeRegistriesConfs, parseRegistriesConf, RegistriesConfError } from './registries-conf-load.js';
import type { RegistriesConf } from './registries-conf.js';
import type { MirrorSetObject } from './types.js';
import { parseYamlDocuments } from './yaml.js';

async function readText(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new MirrorSetError('unreadable-file', `cannot read ${what} ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, { location: { file }, cause: e });
  }
}

export async function loadMirrorSetFiles(files: readonly string[]): Promise<MirrorSetObject[]> {
  const out: MirrorSetObject[] = [];
  for (const file of files) {
    const docs = parseYamlDocuments(await readText(file, 'mirror-set file'), file);
    docs.forEach((d, i) => out.push(asMirrorSetObject(d, `${file} document ${i + 1}`)));
  }
  return out;
}

export async function loadYamlDocuments(file: string, what: string): Promise<unknown[]> {
  return parseYamlDocuments(await readText(file, what), file);
}

export async function loadRegistriesConfFile(file: string): Promise<RegistriesConf> {
  const text = await readText(file, 'registries.conf');
  try {
    // containers/image keeps the entries de-duplicated by prefix and sorted; ties in lookups depend on it.
    return mergeRegistriesConfs(parseRegistriesConf(text, file));
  } catch (e) {
    if (e instanceof RegistriesConfError) throw new MirrorSetError(`registries-conf-${e.code}`, e.message, { location: { file }, hint: 'fix the file as containers-registries.conf(5) describes' });
    throw e;
  }
}

/**
 * A mapping file: oc's `mapping.txt` lines (`source=destination`, `#` comments), or YAML/JSON — a list of
 * {source|origin, destination, category?, type?}, or an object with a `mapping` or `images` list.
 */
export function parseMappingText(text: string, file: string): MirrorMapping[] {
  const trimmed = text.trim();
  const looksLikeLines = trimmed !== '' && trimmed.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('#') || /^[^\s:=]+[^\s=]*=\S+$/.test(l.trim()));
  // oc mapping.txt with a broken line: name that line instead of failing later as "not a list".
  const content = text.split('\n').map((l) => l.trim());
  const mostlyLines = !looksLikeLines && content.some((l) => /^[^\s#=][^\s=]*=/.test(l)) && !content.some((l) => /^(-|\{|\[)/.test(l));
  if (mostlyLines) {
    content.forEach((l, i) => {
      if (l === '' || l.startsWith('#')) return;
      const eq = l.indexOf('=');
      if (eq <= 0 || eq === l.length - 1 || /\s/.test(l)) {
        throw new MirrorSetError('invalid-mapping', `expected "source=destination" (two image references joined by =), got ${JSON.stringify(l)}`, {
          location: { file, line: i + 1 },
          hint: 'one mapping per line, e.g. quay.io/ns/app@sha256:…=registry.local:5000/ns/app',
        });
      }
    });
  }
  if (looksLikeLines) {
    const out: MirrorMapping[] = [];
    text.split('\n').forEach((line) => {
      const l = line.trim();
      if (l === '' || l.startsWith('#')) return;
      const eq = l.indexOf('=');
      out.push({ source: l.slice(0, eq), destination: l.slice(eq + 1) });
    });
    return out;
  }
  const docs = parseYamlDocuments(text, file);
  const root = docs.length === 1 ? docs[0] : docs;
  const list = Array.isArray(root) ? root : ((root as { mapping?: unknown; images?: unknown })?.mapping ?? (root as { images?: unknown })?.images);
  if (!Array.isArray(list)) {
    throw new MirrorSetError('invalid-mapping', 'expected a list of {source, destination} entries (or oc mapping.txt lines "source=destination")', { location: { file } });
  }
  return list.map((raw: Record<string, unknown>, i: number) => {
    const source = raw?.source ?? raw?.origin;
    const destination = raw?.destination;
    if (typeof source !== 'string' || typeof destination !== 'string') {
      throw new MirrorSetError('invalid-mapping', `${file}: entry ${i + 1} needs string "source" (or "origin") and "destination"`, { location: { file } });
    }
    const m: MirrorMapping = { source, destination };
    if (raw.category !== undefined) {
      if (raw.category !== 'release' && raw.category !== 'operator' && raw.category !== 'generic') {
        throw new MirrorSetError('invalid-mapping', `${file}: entry ${i + 1} category must be release, operator or generic`, { location: { file } });
      }
      m.category = raw.category;
    }
    if (typeof raw.type === 'string') m.type = raw.type;
    return m;
  });
}

export async function loadMappingFile(file: string): Promise<MirrorMapping[]> {
  return parseMappingText(await readText(file, 'mapping file'), file);
}
