/**
 * Host patterns in inventories: an optional `:port` (`host:2222`, `[fe80::1]:2222`) and ranges that expand to
 * several hosts — `worker-[0:2]`, `node[01:10]` (zero padding kept), `db-[a:c]`, a stride `[0:10:2]`, several ranges
 * in one name — with Ansible's rules (`expand_hostname_range`, `parse_address`). Unlike Ansible, a range that
 * expands to nothing (`x[3:1]`) is an error instead of silently defining no host.
 */
export class HostPatternError extends Error {}

export interface ParsedHostPattern {
  hosts: string[];
  port?: number;
}

const ASCII_LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

export function parseHostPattern(pattern: string): ParsedHostPattern {
  const { host, port } = splitPort(pattern);
  const hosts = host.includes('[') ? expandHostRange(host) : [host];
  if (hosts.length === 0) throw new HostPatternError(`host range "${host}" does not expand to any host (is the start after the end?)`);
  return port === undefined ? { hosts } : { hosts, port };
}

/** `host:port` unless the part before the colon has colons of its own (a bare IPv6 address). */
function splitPort(pattern: string): { host: string; port?: number } {
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(pattern);
  if (bracketed && /^[0-9a-fA-F:.]+$/.test(bracketed[1]) && (bracketed[1].includes('::') || bracketed[1].split(':').length > 3)) {
    return { host: bracketed[1], port: Number(bracketed[2]) };
  }
  const m = /^(.+):(\d+)$/.exec(pattern);
  const outside = m ? m[1].replace(/\[[^\]]*\]/g, '') : '';
  if (m && !/[:[\]]/.test(outside)) return { host: m[1], port: Number(m[2]) };
  return { host: pattern };
}

/** Ansible's expand_hostname_range: the first `[...]` is expanded, then the results recursively. */
export function expandHostRange(line: string): string[] {
  const open = line.indexOf('[');
  const close = line.indexOf(']', open + 1);
  if (open < 0) return [line];
  if (close < 0) throw new HostPatternError(`host range in "${line}" has no closing "]"`);
  const head = line.slice(0, open);
  const nrange = line.slice(open + 1, close);
  const tail = line.slice(close + 1);
  const bounds = nrange.split(':');
  if (bounds.length !== 2 && bounds.length !== 3) throw new HostPatternError(`host range [${nrange}] must be begin:end or begin:end:step`);
  const beg = bounds[0] === '' ? '0' : bounds[0];
  const end = bounds[1];
  const stepText = bounds.length === 3 ? bounds[2] : '1';
  if (!end) throw new HostPatternError(`host range [${nrange}] must specify an end value`);
  if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new HostPatternError(`host range [${nrange}] has an invalid step "${stepText}"`);
  const step = Number(stepText);
  let fill = (x: string | number): string => String(x);
  if (beg[0] === '0' && beg.length > 1) {
    if (beg.length !== end.length) throw new HostPatternError(`host range [${nrange}] must use equal-length begin and end (zero padding)`);
    fill = (x) => String(x).padStart(beg.length, '0');
  }
  let seq: Array<string | number>;
  const ib = beg.length === 1 ? ASCII_LETTERS.indexOf(beg) : -1;
  const ie = end.length === 1 ? ASCII_LETTERS.indexOf(end) : -1;
  if (ib >= 0 && ie >= 0) {
    if (ib > ie) throw new HostPatternError(`host range [${nrange}] must have begin <= end`);
    seq = [];
    for (let k = ib; k <= ie; k += step) seq.push(ASCII_LETTERS[k]);
  } else {
    if (!/^\d+$/.test(beg) || !/^\d+$/.test(end)) {
      throw new HostPatternError(`host range [${nrange}] mixes letters and numbers or is not a range (use [0:9] or [a:f])`);
    }
    seq = [];
    for (let k = Number(beg); k <= Number(end); k += step) seq.push(k);
  }
  const out: string[] = [];
  for (const r of seq) {
    const name = head + fill(r) + tail;
    if (name.includes('[')) out.push(...expandHostRange(name));
    else out.push(name);
  }
  return out;
}
