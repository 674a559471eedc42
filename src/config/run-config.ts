/**
 * Everything a run needs from configuration, in one call: extra vars parsed, inventory loaded, secrets registered
 * for redaction, settings and node data checked, and the engine's inventory view (extra vars applied).
 */
import type { SecretRegistry } from '../core/secrets.js';
import type { EngineInventory } from '../engine/types.js';
import { parseExtraVars, type ExtraVars } from './extra-vars.js';
import { resolveInventorySettings, type InventorySettings } from './inventory-settings.js';
import { hostVarStore, loadInventory, type LoadedInventory } from './load-inventory.js';
import { registerSecretVariables } from './settings.js';

export interface RunConfig extends InventorySettings {
  inventory: LoadedInventory;
  extraVars: ExtraVars;
  engineInventory: EngineInventory;
}

export async function loadRunConfig(inventoryPath: string, extraVarArgs: readonly string[], secrets: SecretRegistry): Promise<RunConfig> {
  const extraVars = await parseExtraVars(extraVarArgs);
  const inventory = await loadInventory(inventoryPath);
  const hosts = new Set([...Object.keys(inventory.hosts), 'localhost']);
  for (const h of hosts) registerSecretVariables(hostVarStore(inventory, h, extraVars).merged(), secrets);
  const resolved = resolveInventorySettings(inventory, extraVars);
  return { ...resolved, inventory, extraVars, engineInventory: inventory.toEngineInventory(extraVars) };
}
