/**
 * The checks the machine-config-operator makes before it renders registries.conf
 * (`validateRegistriesConfScopes`, mirror-semantics.md §2.4). Any problem stops MCO from writing *any*
 * registry configuration on the nodes, so we run the same checks before writing objects.
 * Also our own check that the API server's `x-kubernetes-list-type: set` would make: no duplicate mirrors.
 */
import { MirrorSetError } from '../core/errors.js';
import { isValidMirrorLocation, isValidMirrorSource } from './patterns.js';
import { isValidRegistriesConfScope } from './scopes.js';
import type { MirrorEntry } from './types.js';

export type MirrorConfigProblemCode =
  | 'invalid-insecure-scope'
  | 'invalid-blocked-scope'
  | 'invalid-allowed-scope'
  | 'invalid-source'
  | 'invalid-mirror'
  | 'conflicting-mirror-source-policy'
  | 'source-is-mirror-with-never-contact-source'
  | 'duplicate-mirror'
  | 'invalid-mirror-source-policy';

export interface MirrorConfigProblem {
  code: MirrorConfigProblemCode;
  message: string;
  /** Which object (kind and index, or name when known) the problem was found in. */
  where?: string;
}

export interface MirrorConfigInput {
  insecureRegistries?: readonly string[];
  blockedRegistries?: readonly string[];
  allowedRegistries?: readonly string[];
  idms?: readonly (readonly MirrorEntry[])[];
  icsp?: readonly (readonly MirrorEntry[])[];
  itms?: readonly (readonly MirrorEntry[])[];
  /** Names of the objects, same shape as the lists, to say where a problem is. */
  names?: { idms?: readonly string[]; icsp?: readonly string[]; itms?: readonly string[] };
}

const q = (s: string): string => JSON.stringify(s);

/** The first problem MCO would stop on, in MCO's order; undefined when the configuration renders. */
export function findMirrorConfigProblem(input: MirrorConfigInput): MirrorConfigProblem | undefined {
  for (const [list, label, code] of [
    [input.insecureRegistries, 'insecure', 'invalid-insecure-scope'],
    [input.blockedRegistries, 'blocked', 'invalid-blocked-scope'],
    [input.allowedRegistries, 'allowed', 'invalid-allowed-scope'],
  ] as const) {
    for (const scope of list ?? []) {
      if (!isValidRegistriesConfScope(scope)) return { code, message: `invalid entry for ${label} registries ${q(scope)}` };
    }
  }
  const policies = new Map<string, string>();
  const check = (entries: readonly MirrorEntry[], ignorePolicy: boolean, where: string): MirrorConfigProblem | undefined => {
    for (const e of entries) {
      if (!isValidMirrorSource(e.source)) return { code: 'invalid-source', message: `invalid format for source ${q(e.source)}`, where };
      const policy = ignorePolicy || !e.mirrorSourcePolicy ? 'AllowContactingSource' : e.mirrorSourcePolicy;
      if (policy !== 'AllowContactingSource' && policy !== 'NeverContactSource') {
        return { code: 'invalid-mirror-source-policy', message: `invalid mirrorSourcePolicy ${q(policy)} for source ${q(e.source)}: use NeverContactSource or AllowContactingSource`, where };
      }
      const seen = policies.get(e.source);
      if (seen !== undefined && seen !== policy) {
        return {
          code: 'conflicting-mirror-source-policy',
          message: `conflicting mirrorSourcePolicy is set for the same source ${q(e.source)} in imagedigestmirrorsets, imagetagmirrorsets, or imagecontentsourcepolicies`,
          where,
        };
      }
      policies.set(e.source, policy);
      for (const m of e.mirrors ?? []) {
        if (!isValidMirrorLocation(m)) return { code: 'invalid-mirror', message: `invalid format for mirror ${q(m)}`, where };
        if (policy === 'NeverContactSource' && m === e.source) {
          return { code: 'source-is-mirror-with-never-contact-source', message: `cannot set mirrorSourcePolicy: NeverContactSource if the source ${q(e.source)} is one of the mirrors`, where };
        }
      }
    }
    return undefined;
  };
  const names = input.names ?? {};
  const groups: Array<[readonly (readonly MirrorEntry[])[] | undefined, boolean, 'idms' | 'icsp' | 'itms']> = [
    [input.idms, false, 'idms'],
    [input.icsp, true, 'icsp'],
    [input.itms, false, 'itms'],
  ];
  for (const [objects, ignorePolicy, kind] of groups) {
    for (const [i, entries] of (objects ?? []).entries()) {
      const p = check(entries, ignorePolicy, describe(kind, i, names[kind]?.[i]));
      if (p) return p;
    }
  }
  return undefined;
}

/** Our own check (the API server's list-type=set, which JSON-schema validators do not enforce). */
export function findDuplicateMirror(input: MirrorConfigInput): MirrorConfigProblem | undefined {
  const names = input.names ?? {};
  for (const kind of ['idms', 'icsp', 'itms'] as const) {
    for (const [i, entries] of (input[kind] ?? []).entries()) {
      for (const e of entries) {
        const seen = new Set<string>();
        for (const m of e.mirrors ?? []) {
          if (seen.has(m)) {
            return { code: 'duplicate-mirror', message: `mirror ${q(m)} is listed twice for source ${q(e.source)} (mirrors must be unique)`, where: describe(kind, i, names[kind]?.[i]) };
          }
          seen.add(m);
        }
      }
    }
  }
  return undefined;
}

function describe(kind: string, index: number, name: string | undefined): string {
  const k = kind === 'idms' ? 'ImageDigestMirrorSet' : kind === 'itms' ? 'ImageTagMirrorSet' : 'ImageContentSourcePolicy';
  return name ? `${k} ${name}` : `${k} #${index + 1}`;
}

/** Throw a MirrorSetError for the first problem (MCO's checks, then duplicate mirrors). */
export function assertMirrorConfigValid(input: MirrorConfigInput, context = 'mirror configuration'): void {
  const p = findMirrorConfigProblem(input) ?? findDuplicateMirror(input);
  if (!p) return;
  throw new MirrorSetError(p.code, `${context}${p.where ? ` (${p.where})` : ''}: ${p.message}`, {
    hint: 'fix the entry: the machine-config-operator refuses the whole registry configuration when one entry is wrong',
  });
}
