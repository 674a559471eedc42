/**
 * systemd units for running the pipeline from a jumphost timer. Pure rendering; the CLI writes the files.
 * Credentials never go inline: they come through an EnvironmentFile (mode 0600). The service is Type=oneshot so
 * the timer does not fire again while a run is going on, and exit codes keep their meaning for OnFailure=.
 */
export interface SystemdUnitOptions {
  /** Unit base name, e.g. `dci-agent-ts-<cluster>`. */
  name: string;
  inventory: string;
  /** Absolute path of the dci-agent-ts executable. */
  execPath: string;
  nodePath?: string;
  onCalendar: string;
  randomizedDelaySec: number;
  timeoutStartSec: number;
  envFile?: string;
  workingDirectory?: string;
  user?: string;
  scope: 'user' | 'system';
  extraArgs?: string[];
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `"${s.replace(/(["\\$`])/g, '\\$1')}"`;
}

export function renderService(o: SystemdUnitOptions): string {
  const exec = [o.nodePath, o.nodePath ? '--' : undefined, o.execPath, 'run', '--inventory', o.inventory, '--output', 'plain', ...(o.extraArgs ?? [])]
    .filter((x): x is string => Boolean(x))
    .map(quoteArg)
    .join(' ');
  const lines = [
    '[Unit]',
    `Description=DCI OpenShift agent run (${o.inventory})`,
    'Documentation=man:dci-agent-ts(1)',
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${exec}`,
    `TimeoutStartSec=${o.timeoutStartSec}`,
    // 75 means "another run holds the lock": not a failure worth an alert.
    'SuccessExitStatus=75',
    'KillMode=mixed',
    'KillSignal=SIGTERM',
    'TimeoutStopSec=15min',
    'Environment=NO_COLOR=1',
  ];
  if (o.envFile) lines.push(`EnvironmentFile=${o.envFile}`);
  if (o.workingDirectory) lines.push(`WorkingDirectory=${o.workingDirectory}`);
  if (o.scope === 'system' && o.user) lines.push(`User=${o.user}`);
  lines.push('');
  return lines.join('\n');
}

export function renderTimer(o: SystemdUnitOptions): string {
  return [
    '[Unit]',
    `Description=Timer for ${o.name}.service`,
    '',
    '[Timer]',
    `OnCalendar=${o.onCalendar}`,
    'Persistent=true',
    `RandomizedDelaySec=${o.randomizedDelaySec}`,
    `Unit=${o.name}.service`,
    '',
    '[Install]',
    'WantedBy=timers.target',
    '',
  ].join('\n');
}

export function enableCommands(o: SystemdUnitOptions): string[] {
  const ctl = o.scope === 'user' ? 'systemctl --user' : 'systemctl';
  return [`${ctl} daemon-reload`, `${ctl} enable --now ${o.name}.timer`, `${ctl} list-timers ${o.name}.timer`, `journalctl ${o.scope === 'user' ? '--user ' : ''}-u ${o.name}.service -f`];
}

/** Parse a duration like "6h", "90m", "3600", "1h30m" into seconds (systemd accepts seconds). */
export function parseDurationSeconds(v: unknown, fallback: number): number {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.round(v);
  if (typeof v !== 'string' || !v.trim()) return fallback;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  let total = 0;
  const re = /(\d+)\s*(h|m|s|min|sec|hour|hours|minutes|seconds)/g;
  let m: RegExpExecArray | null;
  let matched = '';
  while ((m = re.exec(s))) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit.startsWith('h') ? n * 3600 : unit === 'm' || unit.startsWith('min') ? n * 60 : n;
    matched += m[0];
  }
  return total > 0 && matched.replace(/\s/g, '') === s.replace(/\s/g, '') ? total : fallback;
}
