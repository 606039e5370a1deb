import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { V1Deployment } from '@kubernetes/client-node';
import { ConfigWatches } from '../../../src/controller/cache/config-watches.js';
import { createNamespace, kubeClients, KubeletAnnotation, mergePatch } from '../../support/env/context.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { Cluster, podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

/** podinfo reading a ConfigMap through envFrom and a Secret through a volume. */
function withConfigs(name: string): V1Deployment {
  const d = podinfo(name);
  const pod = d.spec?.template.spec;
  if (pod) {
    pod.volumes = [{ name: 'creds', secret: { secretName: `${name}-creds` } }];
    const container = pod.containers[0];
    if (container) {
      container.envFrom = [{ configMapRef: { name: `${name}-settings` } }];
      container.volumeMounts = [{ name: 'creds', mountPath: '/creds' }];
    }
  }
  return d;
}

describe('config copies: a config change is released and rolled back like an image change', () => {
  const { cluster } = useReleaseCluster('configs');

  const ns = (): string => cluster().namespace;
  const setting = async (name: string): Promise<string | undefined> => (await cluster().core.readNamespacedConfigMap({ name, namespace: ns() })).data?.['COLOR'];
  const setColor = async (color: string): Promise<void> => {
    await cluster().core.replaceNamespacedConfigMap({ name: 'app-settings', namespace: ns(), body: { metadata: { name: 'app-settings' }, data: { COLOR: color } } });
  };

  it('gives the primary its own copies, owned by the Rollout', async () => {
    await cluster().core.createNamespacedConfigMap({ namespace: ns(), body: { metadata: { name: 'app-settings' }, data: { COLOR: 'blue' } } });
    await cluster().core.createNamespacedSecret({ namespace: ns(), body: { metadata: { name: 'app-creds' }, stringData: { token: 'abc' } } });
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: withConfigs('app') });
    await cluster().createRollout(quickRollout('app', { strategy: { canary: { stepWeights: [50] } } }));
    await cluster().waitForRollout('app', 'Initialized', (r) => r.status?.phase === 'Initialized');

    const pod = (await cluster().apps.readNamespacedDeployment({ name: 'app-primary', namespace: ns() })).spec?.template.spec;
    expect(pod?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'app-settings-primary' } }]);
    expect(pod?.volumes?.[0]?.secret?.secretName).toBe('app-creds-primary');
    const copy = await cluster().core.readNamespacedConfigMap({ name: 'app-settings-primary', namespace: ns() });
    expect(copy.data).toEqual({ COLOR: 'blue' });
    expect(copy.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'app', controller: true });
    const secret = await cluster().core.readNamespacedSecret({ name: 'app-creds-primary', namespace: ns() });
    expect(Buffer.from(secret.data?.['token'] ?? '', 'base64').toString()).toBe('abc');
    // The canary keeps reading the originals.
    const canary = (await cluster().apps.readNamespacedDeployment({ name: 'app', namespace: ns() })).spec?.template.spec;
    expect(canary?.containers[0]?.envFrom).toEqual([{ configMapRef: { name: 'app-settings' } }]);
  });

  it('releases a ConfigMap edit: the stable pods keep the old data until promotion', async () => {
    const before = (await cluster().rollout('app')).status?.lastPromotedSpec;
    await setColor('green');
    await cluster().waitForRollout('app', 'release started', (r) => r.status?.phase === 'Progressing', 20_000);
    expect(await setting('app-settings-primary')).toBe('blue');
    const done = await cluster().waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 60_000);
    expect(done.status?.lastPromotedSpec).not.toBe(before);
    expect(await setting('app-settings-primary')).toBe('green');
  });

  it('rolls back a ConfigMap edit without the stable pods ever seeing it', async () => {
    await cluster().updateDeployment('app', (d) => {
      d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [KubeletAnnotation.Unready]: 'true' } };
    });
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns(), name: 'app', body: { spec: { progressDeadlineSeconds: 3 } } },
      mergePatch,
    );
    await setColor('red');
    const failed = await cluster().waitForRollout('app', 'Failed', (r) => r.status?.phase === 'Failed', 60_000);
    expect(failed.status?.message).toMatch(/^rolled back: canary app not ready/);
    expect(await setting('app-settings-primary')).toBe('green');
  });
});

describe('watching referenced configs', () => {
  it('holds exactly the referenced Secrets, and lets go of them when no longer referenced', async () => {
    const namespace = await createNamespace('watches');
    const cluster = new Cluster(namespace);
    await cluster.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'used' }, stringData: { k: 'v' } } });
    await cluster.core.createNamespacedSecret({ namespace, body: { metadata: { name: 'unrelated' }, stringData: { k: 'secret' } } });
    const changes: string[][] = [];
    const watches = new ConfigWatches(await kubeClients(), (uids) => changes.push([...uids]), pino({ level: 'silent' }));
    try {
      watches.use('rollout-1', namespace, { configMaps: [], secrets: ['used'] });
      await waitFor('watch synced', () => Promise.resolve(watches.secret(namespace, 'used') !== undefined), { timeoutMs: 10_000 });
      expect(watches.secret(namespace, 'unrelated')).toBeUndefined();

      await cluster.core.replaceNamespacedSecret({ name: 'used', namespace, body: { metadata: { name: 'used' }, stringData: { k: 'v2' } } });
      await waitFor('change reported', () => Promise.resolve(changes.length > 0), { timeoutMs: 10_000 });
      expect(changes[0]).toEqual(['rollout-1']);

      watches.use('rollout-1', namespace, { configMaps: [], secrets: [] });
      expect(watches.secret(namespace, 'used')).toBeUndefined();
    } finally {
      await watches.stop();
    }
  });
});
