/**
 * The error families of the project. Every error a user can cause carries:
 *  - `code`: a stable machine-readable identifier (used in tests and in jsonl output),
 *  - `message`: what is wrong and where (file:line, host, image, blob),
 *  - `hint`: what to do about it,
 *  - `exitCode`: 2 for bad input, 1 for a failed pipeline, 75 for a held lock, 130 for an interrupt.
 * The CLI prints `message` and `hint` only; the stack trace is shown with `--debug`.
 */
export type ExitCode = 0 | 1 | 2 | 75 | 130;

export interface ErrorLocation {
  file?: string;
  line?: number;
  column?: number;
  host?: string;
  image?: string;
  blob?: string;
  task?: string;
}

export interface DciErrorOptions {
  hint?: string;
  location?: ErrorLocation;
  cause?: unknown;
  exitCode?: ExitCode;
}

export class DciError extends Error {
  readonly code: string;
  readonly hint?: string;
  readonly location?: ErrorLocation;
  readonly exitCode: ExitCode;

  constructor(code: string, message: string, options: DciErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
    this.location = options.location;
    this.exitCode = options.exitCode ?? 2;
  }

  /** "file:line: message" when the location is known, else the message. */
  get where(): string {
    const loc = this.location;
    if (!loc?.file) return '';
    return loc.line ? `${loc.file}:${loc.line}` : loc.file;
  }
}

/** A user error in inventory files, extra vars or settings (exit 2). */
export class InventoryError extends DciError {}
/** A variable failed the settings schema (exit 2). */
export class SettingsError extends DciError {}
/** A CLI usage error (exit 2). */
export class UsageError extends DciError {}
/** A task file that cannot be parsed or uses unknown keywords/modules (exit 2). */
export class TaskFileError extends DciError {}
/** A Jinja2 template that cannot be rendered (undefined variable, syntax). */
export class TemplateError extends DciError {}
/** A module failed in a way that is not a normal task failure (bad args...). */
export class ModuleError extends DciError {}
/** Transport errors: SSH refused, host key unknown or changed, command timed out. */
export class TransportError extends DciError {}
/** Registry HTTP errors, auth failures, TLS problems. */
export class RegistryError extends DciError {}
/** Bytes that do not hash to the digest they were announced with. Never committed. */
export class DigestMismatch extends RegistryError {}
/** Mirror-set inputs or outputs that OpenShift would refuse. */
export class MirrorSetError extends DciError {}
/** Release payloads or catalogs that cannot be read or are unsafe. */
export class PayloadError extends DciError {}
/** Installer providers: missing host data, installer failures. */
export class InstallerError extends DciError {}
/** Kubernetes API errors. */
export class KubernetesError extends DciError {}
/** DCI control server errors (rejected credentials, API failures). */
export class DciApiError extends DciError {}
/** Another run holds the lock for this cluster (exit 75). */
export class LockHeldError extends DciError {
  constructor(message: string, options: DciErrorOptions = {}) {
    super('lock-held', message, { ...options, exitCode: 75 });
  }
}
/** The pipeline ran and failed (exit 1). */
export class PipelineFailed extends DciError {
  constructor(message: string, options: DciErrorOptions = {}) {
    super('pipeline-failed', message, { ...options, exitCode: 1 });
  }
}
/** SIGINT/SIGTERM (exit 130). */
export class Interrupted extends DciError {
  constructor(message = 'interrupted', options: DciErrorOptions = {}) {
    super('interrupted', message, { ...options, exitCode: 130 });
  }
}

export function isDciError(e: unknown): e is DciError {
  return e instanceof DciError;
}

/** Suggest the nearest names (Levenshtein distance ≤ 3 or shared prefix) for "did you mean" hints. */
export function nearestNames(name: string, candidates: Iterable<string>, max = 3): string[] {
  const scored: Array<[number, string]> = [];
  for (const c of candidates) {
    const d = levenshtein(name.toLowerCase(), c.toLowerCase());
    const limit = Math.max(2, Math.floor(name.length / 3));
    if (d <= limit || c.toLowerCase().startsWith(name.toLowerCase())) scored.push([d, c]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1].localeCompare(b[1]));
  return scored.slice(0, max).map(([, c]) => c);
}

export function levenshtein(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j];
      prev[j] = Math.min(prev[j] + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length];
}

/** One line for the terminal: "error: file:line: message\n  hint: ...". */
export function formatUserError(e: DciError): string {
  const where = e.where;
  const parts = [`error: ${where ? `${where}: ` : ''}${e.message}`];
  if (e.location?.host) parts[0] += ` (host ${e.location.host})`;
  if (e.hint) parts.push(`  hint: ${e.hint}`);
  return parts.join('\n');
}
