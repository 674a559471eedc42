/**
 * The variables `mirror images|to-disk|from-disk` read from a lab inventory, templated the way the pipeline's
 * mirror-images stage sees them: the controller's variables (jumphost, else localhost) with extra vars on top, the
 * agent's derived `dci_local_registry`, and every `{{ }}` value rendered by the engine's templar with the engine's
 * lazy-variable rules (a value may use other variables, `groups`, `hostvars`, `lookup('env', ...)`). Variables the
 * stage reads must render (a TemplateError names the variable and where it is set); other variables that cannot
 * render here (they use facts only a run gathers) are left out rather than failing a command that does not need
 * them. The mirror settings are then checked with the pipeline's settings schema before anything touches the network.
 */
import { dirname, resolve } from 'node:path';
import { TemplateError, isDciError } from '../../core/errors.js';
import type { SecretRegistry } from '../../core/secrets.js';
import type { ExtraVars } from '../../config/extra-vars.js';
import { defaultLocalRegistry } from '../../config/local-registry.js';

/** Variables the mirror-images stage (settings, registry client, CLI defaults) reads: these must render. */
export const MIRROR_STAGE_VARIABLES: readonly string[] = [
  'dci_local_registry',
  'local_registry_host',
  'local_registry_port',
  'ocp_version',
  'ocp_release_image',
  'release_image',
  'version_pull_url',
  'dci_operators',
  'opm_mirror_list',
  'operators_index',
  'dci_catalog_source_name',
  'custom_catalogs',
  'mirror_set_kind',
  'local_repo',
  'dci_mirror_repo_prefix',
  'dci_mirror_release',
  'dci_additional_images',
  'dci_force_mirroring',
  'dci_continue_on_mirror_error',
  'dci_mirror_latest_operators',
  'dci_mirror_never_contact_source',
  'dci_disconnected',
  'dci_preserve_default_catalogs',
  'dci_registry_ca_pem',
  'dci_pullsecret_file',
  'pullsecret_file',
  'dci_local_registry_ca_file',
  'registry_ca_file',
  'dci_insecure_registries',
  'dci_plain_http_registries',
  'dci_local_registry_insecure',
  'dci_local_registry_plain_http',
];

export interface InventoryMirrorVars {
  vars: Record<string, unknown>;
  /** Variable → where it is set (file:line), for messages. */
  provenance: Record<string, { file?: string; line?: number }>;
  controller: string;
}

/** Load, template and check the mirror variables of an inventory (+ extra vars). */
export async function mirrorVarsFromInventory(inventoryPath: string, extraArgs: readonly string[], secrets?: SecretRegistry): Promise<InventoryMirrorVars> {
  const { loadInventory, parseExtraVars, controllerHost, hostVarStore, resolveSettings } = await import('../../config/index.js');
  const inv = await loadInventory(resolve(inventoryPath));
  const extra: ExtraVars = await parseExtraVars([...extraArgs]);
  const controller = controllerHost(inv);
  const engine = inv.toEngineInventory(extra);
  const store = hostVarStore(inv, controller, extra);
  const provenance = store.provenanceAll() as Record<string, { file?: string; line?: number }>;
  const raw: Record<string, unknown> = { ...(engine.hosts[controller]?.vars ?? Object.values(engine.hosts)[0]?.vars ?? {}) };

  const { createTemplar, OMIT } = await import('../../engine/template/index.js');
  const { createHostScope } = await import('../../engine/index.js');
  const templar = createTemplar({ baseDir: dirname(resolve(inventoryPath)), secrets });
  // The engine's own magic variables and hostvars (outside a play: no play hosts, no playbook_dir); the extra vars
  // are already merged into each host's variables by toEngineInventory.
  const scope = createHostScope({
    inventory: engine,
    templar,
    layers: (host) => ({ inventory: host === controller ? raw : (engine.hosts[host]?.vars ?? {}) }),
    inventoryFile: resolve(inventoryPath),
  });
  const view = scope.view(controller);

  const vars: Record<string, unknown> = {};
  for (const name of Object.keys(raw)) {
    try {
      vars[name] = view[name];
    } catch (e) {
      if (!MIRROR_STAGE_VARIABLES.includes(name)) continue;
      const origin = provenance[name];
      const msg = isDciError(e) || e instanceof Error ? e.message : String(e);
      throw new TemplateError('template-error', `${name}: cannot template ${JSON.stringify(raw[name])}: ${msg}`, {
        location: { file: origin?.file, line: origin?.line },
        hint: `fix the value of ${name}${origin?.file ? ` in ${origin.file}` : ''} or give it with -e ${name}=...`,
        cause: e,
      });
    }
  }
  for (const k of Object.keys(vars)) if (vars[k] === OMIT) delete vars[k];
  // The pipeline gives the stage this default (run-pipeline stageVars); an inventory value wins.
  const localRegistry = defaultLocalRegistry(vars);
  if (vars.dci_local_registry === undefined && localRegistry !== undefined) vars.dci_local_registry = localRegistry;
  // The pipeline's settings schema: a wrong opm_mirror_list, mirror_set_kind, ocp_version... is reported here,
  // before the release or a catalog is read from the network.
  resolveSettings(vars, provenance);
  return { vars, provenance, controller };
}
