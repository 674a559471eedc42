/**
 * Which repositories of a registry may hold a base reference imported under another prefix: the reference's own
 * path, whole, after any prefix — never a repository whose last segment merely ends the same way.
 */
import { describe, expect, it } from 'vitest';
import { plausibleRepositories, repositoryPath } from '../../../src/mirror/stage/base-search.js';

describe('base-search', () => {
  it('takes the repository path without host, port, tag or digest', () => {
    expect(repositoryPath('quay.io/lab/x:v1')).toBe('lab/x');
    expect(repositoryPath('docker://127.0.0.1:5000/lab/x@sha256:' + 'a'.repeat(64))).toBe('lab/x');
    expect(repositoryPath('localhost/x')).toBe('x');
    expect(repositoryPath('lab/x:v1')).toBe('lab/x');
  }, 5_000);

  it('matches the path itself or under a prefix, shortest first; not a look-alike name', () => {
    const repos = ['p2/old/lab/x', 'p1/lab/x', 'lab/x', 'p1/xlab/x', 'p1/lab/x-other', 'p1/lab/x/sub', 'lab/y'];
    expect(plausibleRepositories(repos, 'quay.io/lab/x:v1')).toEqual(['lab/x', 'p1/lab/x', 'p2/old/lab/x']);
    expect(plausibleRepositories(repos, 'quay.io/other/z:v1')).toEqual([]);
  }, 5_000);
});
