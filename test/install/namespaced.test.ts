import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { env, kubeConfig } from '../support/env/context.js';
import { ROOT } from './manifests.js';

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', env().kubeconfigPath, '--cache-dir', join(env().dir, 'kubectl-cache'), ...args]);
  return stdout;
}

describe('the namespaced overlay, installed into a team\'s existing namespace as its comment says', () => {
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const namespace = 'team-a';
  const labels = { team: 'a', 'pod-security.kubernetes.io/enforce': 'baseline' };
  // The user's own kustomization: `namespace: team-a` and the overlay as a resource (kustomize takes relative paths only).
  const dir = mkdtempSync(join(tmpdir(), 'flowshift-namespaced-'));
  writeFileSync(join(dir, 'kustomization.yaml'), `namespace: ${namespace}\nresources:\n  - ${relative(dir, join(ROOT, 'deploy/overlays/namespaced'))}\n`);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('changes no label of the namespace, and kubectl delete -k leaves the namespace and the CRDs', async () => {
    await core.createNamespace({ body: { metadata: { name: namespace, labels } } });
    await kubectl('apply', '-k', dir);
    const applied = await core.listNamespacedServiceAccount({ namespace });
    expect(applied.items.map((s) => s.metadata?.name)).toContain('flowshift');
    expect((await core.readNamespace({ name: namespace })).metadata?.labels).toEqual({ ...labels, 'kubernetes.io/metadata.name': namespace });

    await kubectl('delete', '-k', dir, '--wait=false');
    const after = await core.readNamespace({ name: namespace });
    expect(after.metadata?.deletionTimestamp).toBeUndefined();
    expect(after.metadata?.labels).toEqual({ ...labels, 'kubernetes.io/metadata.name': namespace });
    expect((await core.listNamespacedServiceAccount({ namespace })).items.map((s) => s.metadata?.name)).not.toContain('flowshift');
    expect(await kubectl('get', 'crd', 'rollouts.flowshift.io', '-o', 'name')).toContain('rollouts.flowshift.io');
  });
});
