/**
 * A Kubernetes client library that cannot be loaded (a broken installation): the background preload the pipeline
 * starts never rejects unhandled, and the first real use gets one clear KubernetesError, the same one a run
 * without the preload gets. The library import is made to fail with vi.mock (a factory that throws).
 */
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { KubernetesError } from '../../src/core/errors.js';
import { K8sClient, preloadKubernetesClient } from '../../src/k8s/client.js';

vi.mock('@kubernetes/client-node', () => {
  throw new Error("Cannot find package '@kubernetes/client-node' imported from /opt/dci-agent-ts/dist/k8s/client.js");
});

const dir = mkdtempSync(join(tmpdir(), 'k8s-preload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preloadKubernetesClient with a library that cannot be loaded', () => {
  it('no unhandled rejection from the preload; the first real use throws k8s-client-unavailable, the same as without a preload', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (e: unknown) => unhandled.push(e);
    process.on('unhandledRejection', onUnhandled);
    try {
      const kubeconfig = join(dir, 'kubeconfig');
      writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\n');
      preloadKubernetesClient();
      preloadKubernetesClient();
      // Let the failed import settle (and any unhandled rejection surface).
      await new Promise((r) => setTimeout(r, 50));
      const first = await K8sClient.fromKubeconfig(kubeconfig).then(() => undefined, (e: unknown) => e);
      expect(first).toBeInstanceOf(KubernetesError);
      expect(first).toMatchObject({ code: 'k8s-client-unavailable', hint: expect.stringMatching(/reinstall it/) });
      expect((first as Error).message).toMatch(/^the Kubernetes client library @kubernetes\/client-node cannot be loaded: \S/);
      // The loader's own error is kept as the cause (shown with --debug).
      const causes: string[] = [];
      for (let c: unknown = (first as Error).cause; c instanceof Error; c = c.cause) causes.push(c.message);
      expect(causes.join('\n')).toContain("Cannot find package '@kubernetes/client-node'");
      // A later call (no preload in between) says the same.
      const again = await K8sClient.fromKubeconfig(kubeconfig).then(() => undefined, (e: unknown) => e);
      expect((again as Error).message).toBe((first as Error).message);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
