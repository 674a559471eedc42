/**
 * Find secrets in bytes: the raw value, its base64 form, and the base64 forms it takes inside a longer base64 text
 * (three alignments; the edge characters that depend on the neighbours are dropped).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function encodedForms(secret: string): string[] {
  const raw = Buffer.from(secret);
  const forms = new Set<string>([secret, raw.toString('base64'), raw.toString('base64url')]);
  for (let k = 0; k < 3; k++) {
    const b64 = Buffer.concat([Buffer.alloc(k), raw]).toString('base64');
    // characters fully determined by the secret's bytes only
    const start = Math.ceil((k * 4) / 3) + (k ? 1 : 0);
    const endTrim = 4;
    const core = b64.slice(start, b64.length - endTrim);
    if (core.length >= 8) forms.add(core);
  }
  return [...forms];
}

export interface Leak {
  where: string;
  secret: string;
  form: string;
}

export function findLeaks(where: string, text: string | Buffer, secrets: string[]): Leak[] {
  const s = typeof text === 'string' ? text : text.toString('latin1');
  const out: Leak[] = [];
  for (const secret of secrets) for (const form of encodedForms(secret)) if (s.includes(form)) out.push({ where, secret, form });
  return out;
}

/** Every regular file under dir, with its bytes and mode. */
export function walk(dir: string): Array<{ path: string; bytes: Buffer; mode: number }> {
  const out: Array<{ path: string; bytes: Buffer; mode: number }> = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) visit(p);
      else if (e.isFile()) out.push({ path: p, bytes: readFileSync(p), mode: statSync(p).mode & 0o777 });
    }
  };
  visit(dir);
  return out;
}
