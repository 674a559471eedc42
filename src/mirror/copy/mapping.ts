/**
 * `oc` mapping files: one `SOURCE=DESTINATION` per line, `#` comments and blank lines ignored. Pure.
 */
import { UsageError } from '../../core/errors.js';
import { parseImageLocation } from '../../core/image-reference.js';
import type { CopyPair } from './copy-images.js';

export function parseMapping(text: string, file = '<mapping>'): CopyPair[] {
  const pairs: CopyPair[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0 || eq === line.length - 1) {
      throw new UsageError('bad-mapping', `${file}:${i + 1}: expected SOURCE=DESTINATION, got ${JSON.stringify(line)}`, { hint: 'one mapping per line, e.g. quay.io/ns/app@sha256:...=registry.local:5000/ns/app:v1', location: { file, line: i + 1 } });
    }
    const source = line.slice(0, eq).trim();
    const destination = line.slice(eq + 1).trim();
    for (const ref of [source, destination]) {
      try {
        parseImageLocation(ref);
      } catch (e) {
        throw new UsageError('bad-mapping', `${file}:${i + 1}: ${(e as Error).message}`, { hint: (e as UsageError).hint, location: { file, line: i + 1 }, cause: e });
      }
    }
    pairs.push({ source, destination });
  });
  return pairs;
}
