/**
 * Every registered provider meets the interface: validate/plan/run, plan is pure (same input → same plan, input
 * untouched) and names the host and the variable when host data is missing. Each provider brings a fixture at
 * test/providers/<installType>/fixture.ts (sampleInput, breakHostData).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InstallerError } from '../../src/core/errors.js';
import { PROVIDERS, getProvider } from '../../src/providers/index.js';
import type { ProviderInput } from '../../src/providers/types.js';

const here = dirname(fileURLToPath(import.meta.url));

interface Fixture {
  sampleInput(): ProviderInput;
  breakHostData(input: ProviderInput): { host: string; variable: string };
}

describe('provider registry', () => {
  it('knows ipi and sno, and names the known types for an unknown one', () => {
    expect(getProvider('ipi').installType).toBe('ipi');
    expect(getProvider('sno').installType).toBe('sno');
    let err: unknown;
    try {
      getProvider('upi');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InstallerError);
    expect((err as Error).message).toMatch(/install_type "upi".*known: .*ipi.*sno/);
  });

  it('has one provider per install type', () => {
    const types = PROVIDERS.map((p) => p.installType);
    expect(new Set(types).size).toBe(types.length);
  });

  for (const provider of PROVIDERS) {
    describe(provider.installType, () => {
      const fixturePath = join(here, provider.installType, 'fixture.ts');
      const load = async (): Promise<Fixture> => {
        expect(existsSync(fixturePath), `add ${fixturePath} (sampleInput, breakHostData) for the ${provider.installType} provider`).toBe(true);
        return (await import(fixturePath)) as Fixture;
      };

      it('has validate, plan and run', () => {
        expect(typeof provider.validate).toBe('function');
        expect(typeof provider.plan).toBe('function');
        expect(typeof provider.run).toBe('function');
      });

      it('plans purely and deterministically', async () => {
        const f = await load();
        const input = f.sampleInput();
        const before = JSON.stringify(input);
        provider.validate(input);
        const a = provider.plan(input);
        const b = provider.plan(f.sampleInput());
        expect(JSON.stringify(input)).toBe(before);
        expect(a).toEqual(b);
        expect(a.installType).toBe(provider.installType);
        expect(a.steps.length).toBeGreaterThan(0);
        expect(a.files.length + a.objects.length).toBeGreaterThan(0);
      });

      it('names the host and the variable when host data is missing', async () => {
        const f = await load();
        const input = f.sampleInput();
        const { host, variable } = f.breakHostData(input);
        let err: unknown;
        try {
          provider.plan(input);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(InstallerError);
        expect((err as Error).message).toContain(host);
        expect((err as Error).message).toContain(variable);
        expect((err as InstallerError).exitCode).toBe(2);
      });
    });
  }
});
