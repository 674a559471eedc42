/**
 * The little of image-reference syntax the release planner needs: split `repo[:tag][@digest]`. Full parsing
 * and normalisation (docker.io defaults, validation) belong to the mirror client's reference module.
 */

export interface PullSpecParts {
  /** `registry/path/name`, without tag or digest. */
  repository: string;
  tag?: string;
  digest?: string;
}

export function splitPullSpec(ref: string): PullSpecParts {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

const DIGEST = /^sha256:[a-f0-9]{64}$/;
export const isDigest = (d: string | undefined): d is string => d !== undefined && DIGEST.test(d);

/** Docker tag grammar: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`. */
export const isValidTag = (t: string): boolean => /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(t);
