/**
 * Whether user hook files call a module backed by the Kubernetes client (k8s, k8s_info, apply_mirror_sets,
 * deploy_operators, under any of their registered names), so the pipeline can start loading the client library
 * at run start instead of when the hook's first such task runs.
 *
 * Why a text scan and not the engine's parser: the engine's load (YAML with custom tags, keyword checks, templating
 * of includes) costs more than the answer is worth and would report a broken hook at run start, which is the
 * engine's job when the hook runs. The scan reads each file as text and looks for a module name used as a mapping
 * key (`k8s_info:`, `- kubernetes.core.k8s:`) or as an `action:`/`local_action:` value. The trade-off is safe both
 * ways: a false positive (a variable that happens to be called `k8s:`) only starts a background import that was
 * not needed; a false negative (a name built by a template, flow-style YAML) only leaves the import to the first
 * call, as before. Statically included task files (`include_tasks`/`import_tasks` with a plain path) are followed,
 * relative to the including file's folder then the hook's config dir, a few levels deep. Nothing here throws: a
 * file that cannot be read is skipped (the engine reports it when the hook runs).
 *
 * Measured (tsx, idle machine, fake API): a post-run hook's first k8s_info task took 1023 ms (median of 3) when it
 * loaded the library itself, 48 ms with the preload started at run start.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DOMAIN_MODULES } from '../modules/domain/index.js';

/** The domain modules that call the cluster through src/k8s (test/pipeline checks this list against their sources). */
export const KUBERNETES_MODULES = ['k8s', 'k8s_info', 'apply_mirror_sets', 'deploy_operators'] as const;

/** Every name a task may use for one of KUBERNETES_MODULES (bare, FQCN, aliases). */
export function kubernetesModuleNames(): Set<string> {
  const names = new Set<string>();
  for (const m of DOMAIN_MODULES) {
    if (!(KUBERNETES_MODULES as readonly string[]).includes(m.name)) continue;
    for (const n of [m.name, ...(m.aliases ?? [])]) names.add(n);
  }
  return names;
}

export interface KubernetesUse {
  /** The file (the hook or a file it includes) where the module is used. */
  file: string;
  module: string;
}

const MAX_FILES = 50;
const MAX_DEPTH = 4;

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The first use of a Kubernetes-backed module in these hook files (or the files they include with a plain path),
 * or undefined. `baseDir` of each file is its config dir (an include may be relative to it).
 */
export function findKubernetesUse(hooks: ReadonlyArray<{ file: string; dir: string }>): KubernetesUse | undefined {
  const names = [...kubernetesModuleNames()].sort((a, b) => b.length - a.length).map(escape).join('|');
  // A module key at the start of a line (optionally a list item) or an action value.
  const moduleKey = new RegExp(`^[ \\t]*(?:-[ \\t]+)?(${names})[ \\t]*:(?:[ \\t]|$)`, 'm');
  const actionValue = new RegExp(`^[ \\t]*(?:-[ \\t]+)?(?:local_)?action[ \\t]*:[ \\t]*(?:module[ \\t]*:[ \\t]*)?["']?(${names})(?=["'\\s]|$)`, 'm');
  const actionModule = new RegExp(`^[ \\t]*(?:-[ \\t]+)?(?:local_)?action[ \\t]*:[ \\t]*\\n(?:[ \\t]+.*\\n)*?[ \\t]+module[ \\t]*:[ \\t]*["']?(${names})(?=["'\\s]|$)`, 'm');
  // include_tasks: x.yml | import_tasks: "x.yml" | include_tasks:\n  file: x.yml (plain paths only: no templates).
  const include = /^[ \t]*(?:-[ \t]+)?(?:ansible\.builtin\.|ansible\.legacy\.)?(?:include_tasks|import_tasks|include)[ \t]*:[ \t]*(?:\n[ \t]+file[ \t]*:[ \t]*)?["']?([^"'\s{}#][^"'{}#\n]*?)["']?[ \t]*$/gm;

  const seen = new Set<string>();
  const queue: Array<{ file: string; dir: string; depth: number }> = hooks.map((h) => ({ file: resolve(h.file), dir: h.dir, depth: 0 }));
  while (queue.length && seen.size < MAX_FILES) {
    const { file, dir, depth } = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const hit = moduleKey.exec(text) ?? actionValue.exec(text) ?? actionModule.exec(text);
    if (hit) return { file, module: hit[1] };
    if (depth >= MAX_DEPTH) continue;
    for (const m of text.matchAll(include)) {
      const target = m[1].trim();
      if (isAbsolute(target)) queue.push({ file: target, dir, depth: depth + 1 });
      else {
        queue.push({ file: resolve(dirname(file), target), dir, depth: depth + 1 });
        queue.push({ file: resolve(dir, target), dir, depth: depth + 1 });
      }
    }
  }
  return undefined;
}
