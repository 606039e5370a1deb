import type { V1Deployment } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import type { ClusterCache } from '../../src/kube/cache.js';
import type { KubeClients } from '../../src/kube/client.js';
import { REVISION_ANNOTATION } from '../../src/api/names.js';
import { DeploymentTarget } from '../../src/workload/deployment.js';
import { createNamespace, kubeClients } from '../support/env/context.js';
import { Cluster, podinfo } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';

/**
 * A Deployment `app` with a Rollout (no controller watches the namespace: the
 * Rollout only owns the primary) and a DeploymentTarget whose cache holds
 * whatever the test puts in `cached`, by Deployment name; `app-primary` exists.
 */
async function setUp(): Promise<{ cluster: Cluster; namespace: string; rollout: Rollout; clients: KubeClients; requests: string[]; cached: Record<string, V1Deployment>; target: DeploymentTarget }> {
  const cluster = new Cluster(await createNamespace('target'));
  const { namespace } = cluster;
  await cluster.apps.createNamespacedDeployment({ namespace, body: podinfo('app') });
  await cluster.createRollout(quickRollout('app'));
  const rollout = await cluster.rollout('app');
  const requests: string[] = [];
  const clients = await kubeClients((method) => requests.push(method));
  const cached: Record<string, V1Deployment> = {};
  const cache: ClusterCache = { deployment: (_ns, name) => cached[name], daemonSet: () => undefined, statefulSet: () => undefined, configMap: () => undefined, secret: () => undefined };
  const target = new DeploymentTarget(clients, cache);
  await target.ensurePrimary(rollout, 'rev-1', 1);
  return { cluster, namespace, rollout, clients, requests, cached, target };
}

describe('DeploymentTarget against the test API server', () => {
  it('promotes through a primary its cache holds a version behind: the conflict is answered with a fresh read, not a failed tick', async () => {
    const { cluster, namespace, rollout, clients, requests, cached, target } = await setUp();
    cached['app-primary'] = await clients.apps.readNamespacedDeployment({ name: 'app-primary', namespace });
    // Someone else writes the primary after the cache saw it (in a cluster: its status as pods get ready).
    await clients.apps.patchNamespacedDeployment({ name: 'app-primary', namespace, body: { metadata: { labels: { touched: 'yes' } } } });
    await cluster.setImage('app', 'podinfo:2');

    requests.length = 0;
    await target.promote(rollout, 'rev-2');
    const made = [...requests];
    const primary = await clients.apps.readNamespacedDeployment({ name: 'app-primary', namespace });
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('podinfo:2');
    expect(primary.metadata?.annotations?.[REVISION_ANNOTATION]).toBe('rev-2');
    expect(primary.metadata?.labels?.['touched']).toBe('yes');
    // The target is read (not cached here), the stale replace is refused, the primary read afresh and replaced;
    // once more if the kubelet stand-in wrote the primary's status between that read and that replace.
    expect(made.slice(0, 4)).toEqual(['GET', 'PUT', 'GET', 'PUT']);
    expect(made.every((method, i) => method === (i % 2 === 0 ? 'GET' : 'PUT'))).toBe(true);
    expect(made.length % 2).toBe(0);
  });

  it('reads its own scale before the informer shows it, and lets the cache lead once it shows something newer', async () => {
    const { namespace, rollout, clients, cached, target } = await setUp();
    cached['app'] = await clients.apps.readNamespacedDeployment({ name: 'app', namespace });
    expect(cached['app'].spec?.replicas).toBe(2);

    // The informer has not seen the scale yet: the next observation still knows it.
    await target.scaleCanary(rollout, 0);
    expect((await target.observe(rollout))?.canary.replicas).toBe(0);

    // Someone scales it after us, and the informer shows that: the cache leads again.
    await clients.apps.patchNamespacedDeployment({ name: 'app', namespace, body: { spec: { replicas: 3 } } });
    cached['app'] = await clients.apps.readNamespacedDeployment({ name: 'app', namespace });
    expect((await target.observe(rollout))?.canary.replicas).toBe(3);
  });
});
