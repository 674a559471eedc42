/**
 * The installer provider interface: one folder per install_type (ipi, sno, acm) behind these shapes, registered
 * in ./index.ts. A provider validates its inputs, plans (pure: every file, object and command it would create or
 * run), runs the plan through a context that gives it transports, a Kubernetes client and events, and hands back
 * the cluster credentials.
 */
import type { SecretRegistry } from '../core/secrets.js';
import type { AgentEvent } from '../core/events.js';
import type { Transport } from '../engine/types.js';

export type InstallType = 'ipi' | 'sno' | 'acm';

/** Everything a provider reads, already merged: controller vars, per-node vars, mirror outputs, versions. */
export interface ProviderInput {
  /** Merged variables of the controller host (inventory + stage facts). */
  vars: Record<string, unknown>;
  /** Inventory hosts by group (masters, workers, provisioner...) with their merged vars. */
  groups: Record<string, Array<{ name: string; vars: Record<string, unknown> }>>;
  /** The mirror stage's outputs when disconnected (install-config sources, CA bundle, registries.conf...). */
  mirror?: {
    installConfigSources?: Record<string, unknown>;
    additionalTrustBundle?: string;
    registriesConf?: string;
    releaseImage?: string;
  };
}

export interface PlannedFile {
  /** Path relative to the provider's working dir (e.g. `install-config.yaml`, `openshift/99-extra.yaml`). */
  path: string;
  content: string;
  /** Contains secrets (pull secret, BMC passwords): written 0600 and redacted in the run record copy. */
  secret?: boolean;
}

export interface PlannedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

export type PlannedStep =
  | { kind: 'command'; host: string; argv: string[]; description: string; timeoutMs?: number }
  | { kind: 'api'; verb: 'apply' | 'create' | 'delete' | 'wait'; object: string; description: string }
  | { kind: 'http'; method: string; url: string; description: string };

export interface InstallPlan {
  installType: InstallType;
  /** Where the files go on the host that runs the installer (provisioner dir, or a local dir for acm). */
  workDir: string;
  files: PlannedFile[];
  objects: PlannedObject[];
  /** Commands and API calls in the order run() performs them (plan.txt). */
  steps: PlannedStep[];
  /** Facts for later stages (e.g. expected kubeconfig path, cluster name, api url). */
  facts: Record<string, unknown>;
}

export interface ProviderContext {
  /** Transport to a named inventory host (provisioner, localhost). */
  transport(host: string): Promise<Transport>;
  emit(event: AgentEvent): void;
  log(line: string, stream?: 'stdout' | 'stderr'): void;
  signal: AbortSignal;
  secrets: SecretRegistry;
  runDir: string;
  /** Where kubeconfig and kubeadmin-password land on the controller (0600). */
  clusterConfigsDir: string;
}

export interface ClusterCredentials {
  kubeconfigPath: string;
  kubeadminPasswordPath?: string;
  apiUrl?: string;
  consoleUrl?: string;
}

export interface Provider {
  installType: InstallType;
  /** Throws InstallerError naming the host and the variable that is missing or wrong. */
  validate(input: ProviderInput): void;
  /** Pure: no I/O. */
  plan(input: ProviderInput): InstallPlan;
  run(plan: InstallPlan, ctx: ProviderContext): Promise<ClusterCredentials>;
}
