import { describe, expect, it } from 'vitest';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';
import { waitFor } from '../../../devenv/env/processes.js';

describe('a canary release driven by the controller process', () => {
  const { cluster } = useReleaseCluster('release');

  it('initializes: primary, services, destination rules and a 100/0 VirtualService, target scaled to zero', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('podinfo') });
    await cluster().createRollout(quickRollout('podinfo', { service: { port: 9898, timeout: '10s', hosts: ['podinfo.example.com'] } }));
    const r = await cluster().waitForRollout('podinfo', 'Initialized', (x) => x.status?.phase === 'Initialized');
    expect(r.status?.conditions?.find((c) => c.type === 'Promoted')?.status).toBe('True');

    const ns = cluster().namespace;
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace: ns });
    expect(primary.spec?.selector.matchLabels).toEqual({ app: 'podinfo-primary' });
    expect(primary.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'podinfo', controller: true });
    const services = await cluster().core.listNamespacedService({ namespace: ns });
    expect(services.items.map((s) => [s.metadata?.name, s.spec?.selector]).sort()).toEqual([
      ['podinfo', { app: 'podinfo-primary' }],
      ['podinfo-canary', { app: 'podinfo' }],
      ['podinfo-primary', { app: 'podinfo-primary' }],
    ]);
    const rules = (await cluster().custom.listNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', namespace: ns })) as { items: { metadata: { name: string } }[] };
    expect(rules.items.map((d) => d.metadata.name).sort()).toEqual(['podinfo-canary', 'podinfo-primary']);
    const vs = await cluster().virtualService('podinfo');
    expect(vs.spec).toMatchObject({ hosts: ['podinfo', 'podinfo.example.com'], gateways: ['mesh'] });
    expect(vs.spec.http[0]).toMatchObject({
      timeout: '10s',
      route: [
        { destination: { host: 'podinfo-primary', port: { number: 9898 } }, weight: 100 },
        { destination: { host: 'podinfo-canary', port: { number: 9898 } }, weight: 0 },
      ],
    });
    // The status is the commit point: the target is scaled to zero by the same tick, just after it is written.
    await waitFor('target scaled to zero', async () => (await cluster().apps.readNamespacedDeployment({ name: 'podinfo', namespace: ns })).spec?.replicas === 0, { timeoutMs: 5_000 });
  });

  it('releases a new image step by step and promotes it', async () => {
    const recorder = await cluster().recordWeights('podinfo');
    await cluster().setImage('podinfo', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const r = await cluster().waitForRollout('podinfo', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    recorder.stop();
    expect(recorder.weights).toEqual([0, 20, 40, 60, 0]);
    expect(r.status?.lastPromotedSpec).toBe(r.status?.lastAppliedSpec);

    const primary = await cluster().apps.readNamespacedDeployment({ name: 'podinfo-primary', namespace: cluster().namespace });
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
    expect(primary.spec?.template.metadata?.labels).toMatchObject({ app: 'podinfo-primary' });
    // Scaled to zero once the routes back on the primary have settled, a second after Succeeded.
    await waitFor('canary scaled to zero', async () => (await cluster().apps.readNamespacedDeployment({ name: 'podinfo', namespace: cluster().namespace })).spec?.replicas === 0, { timeoutMs: 15_000 });
    const reasons = (await cluster().eventsOnce('podinfo', 'Succeeded')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Initialized', 'NewRevision', 'Promoting', 'Succeeded']));
    // Steps are progress, not Events (the routes above show each); shifting back at once and succeeding is one transition.
    expect(reasons).not.toContain('Advanced');
    expect(reasons).not.toContain('Finalising');
  });
});
