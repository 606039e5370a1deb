import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { AUDITED_NAMESPACE } from '../../devenv/env/apiserver.js';
import { GENERATED_KEYS, GENERATED_SECRET } from '../../src/install/ensure-secret.js';
import { env, kubeConfig } from '../support/env/context.js';
import { ROOT } from './manifests.js';
import { serviceAccountKubeconfig } from './service-account.js';

/** The init container's command, as the controller's ServiceAccount (deploy/base applied), in flowshift-system. */
async function ensureSecret(kubeconfig: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', join(ROOT, 'src/install/ensure-secret.ts')], {
    cwd: ROOT,
    env: { ...process.env, KUBECONFIG: kubeconfig, POD_NAMESPACE: AUDITED_NAMESPACE },
  });
  return stdout;
}

describe('the generated Secret (deploy/base\'s init container)', () => {
  it('is made once with random values, by either of two replicas starting at once, and never changed after', async () => {
    await promisify(execFile)('kubectl', ['--kubeconfig', env().kubeconfigPath, '--cache-dir', join(env().dir, 'kubectl-cache'), 'apply', '-k', join(ROOT, 'deploy/base')]);
    const kubeconfig = await serviceAccountKubeconfig(AUDITED_NAMESPACE, 'flowshift');
    const core = kubeConfig().makeApiClient(CoreV1Api);
    await core.deleteNamespacedSecret({ name: GENERATED_SECRET, namespace: AUDITED_NAMESPACE }).catch(() => undefined);

    const first = await Promise.all([ensureSecret(kubeconfig), ensureSecret(kubeconfig)]);
    expect(first.map((out) => out.includes('created')).sort()).toEqual([false, true]);
    const made = (await core.readNamespacedSecret({ name: GENERATED_SECRET, namespace: AUDITED_NAMESPACE })).data ?? {};
    expect(Object.keys(made).sort()).toEqual([...GENERATED_KEYS].sort());
    const values = Object.values(made).map((v) => Buffer.from(v, 'base64').toString());
    expect(values.every((v) => /^[A-Za-z0-9_-]{43}$/.test(v))).toBe(true);
    expect(new Set(values).size).toBe(values.length);

    expect(await ensureSecret(kubeconfig)).toContain('exists: kept as it is');
    expect((await core.readNamespacedSecret({ name: GENERATED_SECRET, namespace: AUDITED_NAMESPACE })).data).toEqual(made);
  });
});
