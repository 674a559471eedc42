import { describe, expect, it } from 'vitest';
import { SettingsError } from '../../../src/core/errors.js';
import { mirrorStageSettings } from '../../../src/mirror/stage/settings.js';

const LAB = { dci_local_registry: 'registry.lab:5000', ocp_version: '4.16.3' };

describe('mirror stage settings: yes/no variables', () => {
  it('reads them with the Ansible boolean rule (y, t, on, 1 are true; unset keeps the default)', () => {
    const s = mirrorStageSettings({ ...LAB, dci_force_mirroring: 'y', dci_continue_on_mirror_error: 'T', dci_mirror_never_contact_source: 1, dci_mirror_latest_operators: 'no' });
    expect(s.force).toBe(true);
    expect(s.continueOnError).toBe(true);
    expect(s.neverContactSource).toBe(true);
    expect(s.catalogVersions).toBe('all');
    const d = mirrorStageSettings(LAB);
    expect([d.force, d.continueOnError, d.catalogVersions, d.releaseImage !== undefined]).toEqual([false, false, 'latest', true]);
  });

  it('refuses a value that is no boolean, naming the variable', () => {
    let err: unknown;
    try {
      mirrorStageSettings({ ...LAB, dci_force_mirroring: 'maybe' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SettingsError);
    expect((err as Error).message).toBe('dci_force_mirroring: expected a boolean, got "maybe"');
  });
});
