/**
 * Load a file-based catalog from its files the way operator-registry's `declcfg.LoadFS` does: every regular
 * file (any extension) is a stream of JSON or YAML documents, except files matched by an `.indexignore`
 * (gitignore syntax, relative to the directory holding it) and the `.indexignore` files themselves. Each
 * document is sorted by its `schema` into packages, channels, bundles, deprecations or opaque others.
 * JSON files (the usual `opm render` output, often tens of MB) take a fast path that splits the stream
 * without the YAML parser.
 */
import { PayloadError } from '../../core/errors.js';
import { emptyCatalog, type DeclarativeConfig, type FbcBundle, type FbcChannel, type FbcDeprecation, type FbcMeta, type FbcPackage } from './fbc-model.js';

function bad(file: string, msg: string, where?: string): PayloadError {
  return new PayloadError('catalog-invalid', `${where ? `${where}: ` : ''}catalog file "${file}": ${msg}`, {
    hint: 'the catalog image holds an invalid file-based catalog; check it with `opm validate`',
    location: { file, image: where },
  });
}

/** Split a stream of concatenated JSON values (objects) into texts; undefined when it is not one. */
function splitJsonStream(text: string): string[] | undefined {
  const out: string[] = [];
  let depth = 0;
  let start = -1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      if (depth === 0) return undefined;
      // Jump to the closing quote with indexOf (strings are most of the bytes: base64 bundle objects).
      let j = i;
      for (;;) {
        j = text.indexOf('"', j + 1);
        if (j < 0) return undefined;
        let k = j - 1;
        while (text.charCodeAt(k) === 92 /* \ */) k--;
        if ((j - 1 - k) % 2 === 0) break; // an even number of backslashes: the quote is not escaped
      }
      i = j;
    } else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (depth === 0) {
        if (c === 91) return undefined;
        start = i;
      }
      depth++;
    } else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth < 0) return undefined;
      if (depth === 0) out.push(text.slice(start, i + 1));
    } else if (depth === 0 && c !== 32 && c !== 10 && c !== 13 && c !== 9) {
      return undefined;
    }
  }
  return depth === 0 ? out : undefined;
}

/** The documents of one catalog file (JSON stream fast path, else YAML multi-doc). */
export async function parseFbcDocuments(text: string, file: string, where?: string): Promise<unknown[]> {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    const parts = splitJsonStream(text);
    if (parts) {
      try {
        return parts.map((p) => JSON.parse(p) as unknown);
      } catch {
        // Not strict JSON after all (YAML flow style is a superset): fall through to the YAML parser.
      }
    }
  }
  const { loadAll } = await import('js-yaml');
  try {
    return loadAll(text).filter((d) => d !== null && d !== undefined);
  } catch (e) {
    throw bad(file, `is neither JSON nor YAML: ${(e as Error).message.split('\n')[0]}`, where);
  }
}

/** `.indexignore` matching: patterns apply below the directory that holds them. */
async function ignoreMatcher(files: ReadonlyMap<string, Buffer>): Promise<(path: string) => boolean> {
  const { default: ignore } = await import('ignore');
  const rules: Array<{ dir: string; ig: ReturnType<typeof ignore> }> = [];
  for (const [path, content] of files) {
    const slash = path.lastIndexOf('/');
    const name = path.slice(slash + 1);
    if (name !== '.indexignore') continue;
    rules.push({ dir: slash >= 0 ? path.slice(0, slash) : '', ig: ignore().add(content.toString('utf8')) });
  }
  return (path) => {
    if (path === '.indexignore' || path.endsWith('/.indexignore')) return true;
    for (const r of rules) {
      if (r.dir && !path.startsWith(`${r.dir}/`)) continue;
      const rel = r.dir ? path.slice(r.dir.length + 1) : path;
      if (r.ig.ignores(rel)) return true;
    }
    return false;
  };
}

function classify(doc: unknown, file: string, fbc: DeclarativeConfig, where?: string): void {
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw bad(file, 'has a document that is not an object', where);
  const o = doc as Record<string, unknown>;
  const schema = o.schema;
  if (typeof schema !== 'string' || schema === '') throw bad(file, `has an object without "schema"${typeof o.name === 'string' ? ` (name "${o.name}")` : ''}`, where);
  switch (schema) {
    case 'olm.package':
      if (typeof o.name !== 'string' || !o.name) throw bad(file, 'has an olm.package without a name', where);
      fbc.packages.push(o as FbcPackage);
      break;
    case 'olm.channel':
      if (typeof o.name !== 'string' || typeof o.package !== 'string') throw bad(file, 'has an olm.channel without name or package', where);
      if (!Array.isArray(o.entries)) o.entries = [];
      fbc.channels.push(o as FbcChannel);
      break;
    case 'olm.bundle':
      if (typeof o.name !== 'string' || typeof o.package !== 'string') throw bad(file, 'has an olm.bundle without name or package', where);
      fbc.bundles.push(o as FbcBundle);
      break;
    case 'olm.deprecations':
      if (typeof o.package !== 'string') throw bad(file, 'has an olm.deprecations without package', where);
      if (!Array.isArray(o.entries)) o.entries = [];
      fbc.deprecations.push(o as FbcDeprecation);
      break;
    default:
      fbc.others.push(o as FbcMeta);
  }
}

/**
 * Build the catalog from its files (paths relative to the catalog root, e.g. `etcd/catalog.json`). Files are
 * read in path order so the result does not depend on layer order.
 */
export async function parseFbcFiles(files: ReadonlyMap<string, Buffer>, where?: string): Promise<DeclarativeConfig> {
  const ignored = await ignoreMatcher(files);
  const fbc = emptyCatalog();
  const paths = [...files.keys()].filter((p) => !ignored(p)).sort();
  for (const path of paths) {
    const docs = await parseFbcDocuments((files.get(path) as Buffer).toString('utf8'), path, where);
    for (const d of docs) classify(d, path, fbc, where);
  }
  return fbc;
}
