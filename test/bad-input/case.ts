/**
 * One broken input and what a user must see: the exit code, the file (and line) named in the message, a phrase
 * saying what to fix, no stack trace, and no output left behind. Cases are data: add one entry to a file in
 * cases/ (or a new file listed in cases/index.ts).
 *
 * `{dir}` in file contents, args and env values is replaced by the case's own temporary directory (the CLI's cwd).
 */
export interface BadInputCase {
  /** unique, short: shown as the test name */
  name: string;
  /** files to create, relative to the case dir */
  files: Record<string, string>;
  /** CLI arguments (after the binary) */
  args: string[];
  /** 2 for bad input; 1 where a stage/copy failure is the documented result */
  code: 1 | 2;
  /** the file the message must name (as given on the command line, or its base name); null: an option error */
  file: string | null;
  /** the line the message must give as file:line (when the input has lines) */
  line?: number;
  /** what the message must say (what is wrong / what to do) */
  says: RegExp;
  /** paths (relative to the case dir) that must not exist afterwards: nothing half-written */
  absent?: string[];
  env?: Record<string, string | undefined>;
  /** the behaviour is wrong today: one line saying what; the case runs as an expected failure (it.fails) */
  knownBug?: string;
  /** slow cases (a pipeline run, network retries) */
  timeoutMs?: number;
}
