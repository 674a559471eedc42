/**
 * DCI2-HMAC-SHA256 request signing (python-dciauth v2), as the control server checks it. Pure functions: no
 * clock and no I/O; callers pass the time. The scheme is AWS Signature V4 with DCI constants (see
 * shared/design/dci-api.md §1.3): canonical request → string to sign → HMAC chain keyed by "DCI2"+secret.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { DciApiError } from '../../core/errors.js';

export interface SigningConstants {
  /** First token of Authorization, e.g. `DCI2-HMAC-SHA256`; its prefix before `-HMAC-SHA256` keys the HMAC chain. */
  algorithm: string;
  region: string;
  service: string;
  /** Credential-scope terminator (`dci2_request` or `aws4_request`). */
  requestType: string;
}

export const DCI2_CONSTANTS: SigningConstants = {
  algorithm: 'DCI2-HMAC-SHA256',
  region: 'BHS3',
  service: 'api',
  requestType: 'dci2_request',
};

export const AWS4_CONSTANTS: SigningConstants = {
  algorithm: 'AWS4-HMAC-SHA256',
  region: 'BHS3',
  service: 'api',
  requestType: 'aws4_request',
};

/** The client signs exactly these headers (order matters: it is the order of the canonical headers block). */
export const DCI_SIGNED_HEADERS = 'host;x-dci-date';

/** Max clock skew between the client's X-DCI-Date and the server's clock: 900 s accepted, 901 s rejected. */
export const SIGNATURE_MAX_SKEW_SECONDS = 900;

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Decoded query parameters: an object (one value per key) or ordered pairs. */
export type DciQueryInput = Record<string, string> | ReadonlyArray<readonly [string, string]>;

/**
 * RFC 3986 percent-encoding as dciauth does it: only `A-Z a-z 0-9 _ . - ~` stay literal, every other UTF-8
 * byte is `%XX` in upper-case hex. `encodeURIComponent` alone would leave `!'()*` unescaped.
 */
export function dciPercentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

function queryPairs(query: DciQueryInput): Array<[string, string]> {
  return Array.isArray(query) ? query.map(([k, v]) => [k, v] as [string, string]) : Object.entries(query as Record<string, string>);
}

/**
 * Canonical query string: encode each decoded key and value, sort by encoded key then value (byte order), join
 * `k=v` with `&`. Empty string for no parameters.
 */
export function canonicalQuery(query: DciQueryInput): string {
  const encoded = queryPairs(query).map(([k, v]) => [dciPercentEncode(k), dciPercentEncode(v)] as const);
  encoded.sort((a, b) => byteCompare(a[0], b[0]) || byteCompare(a[1], b[1]));
  return encoded.map(([k, v]) => `${k}=${v}`).join('&');
}

function byteCompare(a: string, b: string): number {
  // Encoded strings are pure ASCII, so code-unit order is byte order.
  return a < b ? -1 : a > b ? 1 : 0;
}

export function dciSha256Hex(data: string | Uint8Array): string {
  if (typeof data === 'string' ? data.length === 0 : data.byteLength === 0) return EMPTY_SHA256;
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

/** The HMAC chain: kDate = HMAC(prefix+secret, datestamp) → region → service → request type. */
export function deriveSigningKey(secret: string, datestamp: string, constants: SigningConstants = DCI2_CONSTANTS): Buffer {
  const prefix = constants.algorithm.replace(/-HMAC-SHA256$/, '');
  const kDate = hmac(prefix + secret, datestamp);
  const kRegion = hmac(kDate, constants.region);
  const kService = hmac(kRegion, constants.service);
  return hmac(kService, constants.requestType);
}

export interface SignatureInput extends Partial<SigningConstants> {
  method: string;
  /** The decoded URL path, without the query string. */
  path: string;
  /** Decoded query parameters. */
  query: DciQueryInput;
  /** Header values exactly as sent, keyed by lower-case name; must hold every signed header. */
  headers: Record<string, string>;
  /** `;`-joined lower-case header names to sign, in order. */
  signedHeaders: string;
  /** The exact body bytes (a string is taken as UTF-8). */
  body: string | Uint8Array;
  /** `<client type>/<client id>`. */
  accessKey: string;
  secretKey: string;
  /** YYYYMMDDTHHMMSSZ. */
  timestamp: string;
  /** Defaults to the first 8 characters of the timestamp. */
  datestamp?: string;
}

export interface SignatureParts {
  canonicalQueryString: string;
  payloadSha256: string;
  canonicalRequest: string;
  stringToSign: string;
  signingKeyHex: string;
  signature: string;
  authorization: string;
}

/** Every intermediate of the signature, so tests can compare them with the vectors one by one. */
export function computeSignature(input: SignatureInput): SignatureParts {
  const constants: SigningConstants = {
    algorithm: input.algorithm ?? DCI2_CONSTANTS.algorithm,
    region: input.region ?? DCI2_CONSTANTS.region,
    service: input.service ?? DCI2_CONSTANTS.service,
    requestType: input.requestType ?? DCI2_CONSTANTS.requestType,
  };
  const datestamp = input.datestamp ?? input.timestamp.slice(0, 8);
  const canonicalQueryString = canonicalQuery(input.query);
  const payloadSha256 = dciSha256Hex(input.body);
  const names = input.signedHeaders.split(';');
  let headerBlock = '';
  for (const name of names) {
    const value = input.headers[name];
    if (value === undefined) {
      throw new DciApiError('dci-signing-missing-header', `cannot sign the request: signed header '${name}' has no value`);
    }
    headerBlock += `${name}:${value}\n`;
  }
  const canonicalRequest = [input.method.toUpperCase(), input.path, canonicalQueryString, headerBlock, input.signedHeaders, payloadSha256].join('\n');
  const scope = `${datestamp}/${constants.region}/${constants.service}/${constants.requestType}`;
  const stringToSign = [constants.algorithm, input.timestamp, scope, dciSha256Hex(canonicalRequest)].join('\n');
  const key = deriveSigningKey(input.secretKey, datestamp, constants);
  const signature = createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
  const authorization = `${constants.algorithm} Credential=${input.accessKey}/${scope}, SignedHeaders=${input.signedHeaders}, Signature=${signature}`;
  return { canonicalQueryString, payloadSha256, canonicalRequest, stringToSign, signingKeyHex: key.toString('hex'), signature, authorization };
}

/** UTC time as YYYYMMDDTHHMMSSZ (one clock reading gives both timestamp and datestamp). */
export function formatDciTimestamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Parse YYYYMMDDTHHMMSSZ; undefined when malformed. */
export function parseDciTimestamp(timestamp: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(timestamp);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** The server's skew rule: expired when |now − timestamp| > 15 min (symmetric). A malformed stamp is expired. */
export function isSignatureExpired(timestamp: string, now: Date, maxSkewSeconds = SIGNATURE_MAX_SKEW_SECONDS): boolean {
  const t = parseDciTimestamp(timestamp);
  if (!t) return true;
  return Math.abs(now.getTime() - t.getTime()) > maxSkewSeconds * 1000;
}

/** Percent-decode once like Python's `unquote` (invalid escapes are kept literally instead of throwing). */
export function dciPercentDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
  }
}

export interface SignRequestInput {
  method: string;
  /** Full URL as it will be sent (scheme, host[:port], path, query). */
  url: string | URL;
  body?: string | Uint8Array;
  /** `remoteci/<uuid>`, or a bare id (then `clientType`, default `remoteci`). */
  clientId: string;
  clientType?: string;
  secret: string;
  /** The signing time (defaults to now): one reading gives timestamp and datestamp. */
  date?: Date;
}

export interface DciSignedHeaders {
  Authorization: string;
  'X-DCI-Date': string;
}

/** Split DCI_CLIENT_ID like dciclient: `type/id[/…]` keeps the first two parts, a bare id means remoteci. */
export function splitDciClientId(clientId: string, clientType?: string): { clientType: string; clientId: string } {
  const parts = clientId.split('/');
  if (parts.length >= 2) return { clientType: parts[0], clientId: parts[1] };
  return { clientType: clientType ?? 'remoteci', clientId };
}

/**
 * Decoded query pairs of a URL, refusing what the server would verify differently from us: an empty value
 * (the server keeps blanks; dciclient dropped them) or a repeated key (the server signs the first value).
 */
export function dciSignableQuery(url: URL): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [k, v] of url.searchParams) {
    if (k === '' || v === '') {
      throw new DciApiError('dci-bad-query', `refusing to sign ${url.pathname}: query parameter '${k}' has an empty ${k === '' ? 'name' : 'value'}`, {
        hint: 'omit parameters that have no value; the DCI server would reject the signature',
      });
    }
    if (seen.has(k)) {
      throw new DciApiError('dci-bad-query', `refusing to sign ${url.pathname}: query parameter '${k}' is repeated`, {
        hint: 'combine the values into one parameter (e.g. one `where` with comma-separated conditions)',
      });
    }
    seen.add(k);
    pairs.push([k, v]);
  }
  return pairs;
}

/**
 * Sign one request: returns the two headers to send (the Host header is the URL's host, with the port when it
 * is not the scheme default, which is what HTTP clients send). Call it again for every retry.
 */
export function signRequest(input: SignRequestInput): DciSignedHeaders {
  const url = typeof input.url === 'string' ? new URL(input.url) : input.url;
  const { clientType, clientId } = splitDciClientId(input.clientId, input.clientType);
  const timestamp = formatDciTimestamp(input.date ?? new Date());
  const parts = computeSignature({
    ...DCI2_CONSTANTS,
    method: input.method,
    path: dciPercentDecode(url.pathname),
    query: dciSignableQuery(url),
    headers: { host: url.host, 'x-dci-date': timestamp },
    signedHeaders: DCI_SIGNED_HEADERS,
    body: input.body ?? '',
    accessKey: `${clientType}/${clientId}`,
    secretKey: input.secret,
    timestamp,
  });
  return { Authorization: parts.authorization, 'X-DCI-Date': timestamp };
}

/** Constant-time equality of two hex signatures. */
export function dciSignaturesEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}
