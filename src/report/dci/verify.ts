/**
 * Server-side verification of a signed DCI request, the way the control server does it (HmacMechanism +
 * dciauth v2, dci-api.md §1.4). Used by the fake DCI server in tests and by anyone who wants to check a
 * signature offline. Pure: the caller passes the clock and the secret lookup.
 */
import { computeSignature, isSignatureExpired, dciPercentDecode, dciSignaturesEqual } from './signing.js';

export interface DciReceivedRequest {
  method: string;
  /** The raw request target path as received (still percent-encoded), without the query. */
  rawPath: string;
  /** The raw query string (without `?`), as received. */
  rawQuery: string;
  /** Header values as received, keyed by lower-case name. */
  headers: Record<string, string | undefined>;
  /** The raw body bytes. */
  body: Uint8Array;
}

export interface DciVerifiedIdentity {
  clientType: string;
  clientId: string;
}

export type DciVerifyResult =
  | { ok: true; identity: DciVerifiedIdentity; timestamp: string }
  /** status and message as the real server answers (500 stands for its uncaught-exception HTML page). */
  | { ok: false; status: number; message: string };

const HMAC_SCHEMES = new Set(['DCI-HMAC-SHA256', 'DCI2-HMAC-SHA256', 'AWS4-HMAC-SHA256']);
const REQUEST_TYPES = new Set(['dci2_request', 'aws4_request']);
const BAD_HEADERS = 'HmacMechanism failed: bad or incomplete headers.';

/** The server's view of the query: `request.args.to_dict(flat=True)`: first value wins, blanks are kept. */
export function dciServerQueryView(rawQuery: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<string>();
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    if (seen.has(k)) continue;
    seen.add(k);
    out.push([k, v]);
  }
  return out;
}

/** Werkzeug hands the HMAC check an empty body for form and multipart requests. */
function serverBodyView(headers: DciReceivedRequest['headers'], body: Uint8Array): Uint8Array {
  const ct = (headers['content-type'] ?? '').toLowerCase();
  if (ct.startsWith('multipart/form-data') || ct.startsWith('application/x-www-form-urlencoded')) return new Uint8Array();
  return body;
}

/**
 * Verify a request. `lookupSecret` returns the stored secret of an active identity, or undefined (→ 401
 * "identity does not exists.", as the Nov 2025 server answers for unknown or inactive clients).
 */
export function verifySignature(req: DciReceivedRequest, lookupSecret: (clientType: string, clientId: string) => string | undefined, now: Date): DciVerifyResult {
  const auth = req.headers['authorization'];
  if (auth === undefined) return { ok: false, status: 401, message: 'Authorization header missing' };
  const scheme = auth.split(' ')[0];
  if (!HMAC_SCHEMES.has(scheme)) return { ok: false, status: 401, message: `Authorization scheme ${scheme} unknown` };

  const timestamp = req.headers['x-amz-date'] ?? req.headers['x-dci-date'];
  const tokens = auth.split(' ');
  // dciauth unpacks exactly 4 space-separated tokens; anything else is an uncaught error (HTTP 500).
  if (tokens.length !== 4) return { ok: false, status: 500, message: 'Internal Server Error' };
  const [algorithm, credToken, signedToken, sigToken] = tokens;
  const credential = /^Credential=([^,]*),?$/.exec(credToken)?.[1];
  const signedHeaders = /^SignedHeaders=([^,]*),?$/.exec(signedToken)?.[1];
  const signature = /^Signature=(.*)$/.exec(sigToken)?.[1];
  if (timestamp === undefined || credential === undefined || signedHeaders === undefined || signature === undefined) {
    return { ok: false, status: 400, message: BAD_HEADERS };
  }
  const cred = credential.split('/');
  if (cred.length !== 6 || !REQUEST_TYPES.has(cred[5])) return { ok: false, status: 400, message: BAD_HEADERS };
  const [clientType, clientId, datestamp, region, service, requestType] = cred;

  const headerValues: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) {
    const v = req.headers[name.toLowerCase()];
    if (v === undefined) return { ok: false, status: 500, message: 'Internal Server Error' };
    headerValues[name] = v;
  }

  const secret = lookupSecret(clientType, clientId);
  if (secret === undefined) return { ok: false, status: 401, message: 'identity does not exists.' };

  // Flask's request.path is already decoded; dciauth unquotes it once more.
  const path = dciPercentDecode(dciPercentDecode(req.rawPath));
  const expected = computeSignature({
    algorithm,
    region,
    service,
    requestType,
    method: req.method,
    path,
    query: dciServerQueryView(req.rawQuery),
    headers: headerValues,
    signedHeaders,
    body: serverBodyView(req.headers, req.body),
    accessKey: `${clientType}/${clientId}`,
    secretKey: secret,
    timestamp,
    datestamp,
  });
  if (isSignatureExpired(timestamp, now)) return { ok: false, status: 400, message: 'HmacMechanism failed: signature is expired' };
  if (!dciSignaturesEqual(expected.signature, signature)) return { ok: false, status: 400, message: 'HmacMechanism failed: signature is invalid' };
  return { ok: true, identity: { clientType, clientId }, timestamp };
}
