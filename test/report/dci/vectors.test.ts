/**
 * Every case of shared/vectors/dci-*.json, byte for byte (canonical query, all signing intermediates, expiry),
 * plus the server-side check of each signed vector with the same algorithm the fake server uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalQuery, computeSignature, isSignatureExpired, verifySignature } from '../../../src/report/dci/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const VECTORS = join(REPO_ROOT, '..', 'shared', 'vectors');

interface VectorFile<I, E> {
  cases: Array<{ name: string; input: I; expected: E }>;
}
function load<I, E>(file: string): VectorFile<I, E> {
  return JSON.parse(readFileSync(join(VECTORS, file), 'utf8')) as VectorFile<I, E>;
}

interface SigningInput {
  algorithm: string;
  region: string;
  service: string;
  requestType: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  signedHeaders: string;
  body: string;
  bodyEncoding: BufferEncoding;
  accessKey: string;
  secretKey: string;
  timestamp: string;
  datestamp: string;
}

const canonical = load<{ query: Record<string, string> }, string>('dci-canonical-query.json');
const signing = load<SigningInput, Record<string, string>>('dci-request-signing.json');
const expiry = load<{ dateHeader: string; timestamp: string; serverNow: string }, { expired: boolean }>('dci-signature-expiry.json');

describe('dci-canonical-query.json', () => {
  it.each(canonical.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(canonicalQuery(c.input.query)).toBe(c.expected);
  });
});

describe('dci-request-signing.json', () => {
  it('has the 13 upstream cases', () => expect(signing.cases.length).toBeGreaterThanOrEqual(13));
  it.each(signing.cases.map((c) => [c.name, c] as const))('%s: every intermediate matches', (_n, c) => {
    const body = Buffer.from(c.input.body, c.input.bodyEncoding);
    const got = computeSignature({ ...c.input, body });
    for (const [k, v] of Object.entries(c.expected)) expect(got[k as keyof typeof got], k).toBe(v);
  });
  it.each(signing.cases.map((c) => [c.name, c] as const))('%s: the server-side check accepts it, and rejects it on another path', (_n, c) => {
    const at = c.input.timestamp;
    const now = new Date(Date.UTC(+at.slice(0, 4), +at.slice(4, 6) - 1, +at.slice(6, 8), +at.slice(9, 11), +at.slice(11, 13), +at.slice(13, 15)));
    const headers = { ...c.input.headers, authorization: c.expected.authorization };
    const rawQuery = new URLSearchParams(c.input.query).toString();
    const req = { method: c.input.method, rawPath: c.input.path, rawQuery, headers, body: Buffer.from(c.input.body, c.input.bodyEncoding) };
    const lookup = (type: string, id: string) => (`${type}/${id}` === c.input.accessKey ? c.input.secretKey : undefined);
    expect(verifySignature(req, lookup, now)).toMatchObject({ ok: true });
    expect(verifySignature({ ...req, rawPath: '/api/v1/admin' }, lookup, now)).toEqual({ ok: false, status: 400, message: 'HmacMechanism failed: signature is invalid' });
  });
});

describe('dci-signature-expiry.json', () => {
  it.each(expiry.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    expect(isSignatureExpired(c.input.timestamp, new Date(c.input.serverNow))).toBe(c.expected.expired);
  });
});
