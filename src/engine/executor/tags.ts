/**
 * `--tags` / `--skip-tags` selection, as Ansible decides it: `always` runs unless skipped explicitly, `never`
 * runs only when one of its other tags is asked for, `all` (the default) selects everything but `never`,
 * `tagged`/`untagged` select by the presence of tags.
 */
export interface TagSelection {
  tags: string[];
  skipTags: string[];
}

export function shouldRunTags(taskTags: readonly string[], sel: TagSelection): boolean {
  const t = new Set(taskTags);
  const only = sel.tags.length ? sel.tags : ['all'];
  const skip = new Set(sel.skipTags);
  if (skip.size) {
    if ([...t].some((x) => skip.has(x))) return false;
    if (skip.has('all') && !t.has('always')) return false;
    if (skip.has('tagged') && t.size && !t.has('always')) return false;
    if (skip.has('untagged') && !t.size) return false;
  }
  if (t.has('always') && !skip.has('always')) return true;
  const asked = new Set(only);
  if (t.has('never')) return [...t].some((x) => x !== 'never' && asked.has(x)) || asked.has('never');
  if (asked.has('all')) return true;
  if (asked.has('tagged') && t.size) return true;
  if (asked.has('untagged') && !t.size) return true;
  return [...t].some((x) => asked.has(x));
}
