import { describe, expect, it } from 'vitest';
import { KubeletAnnotation, mergePatch } from '../../support/env/context.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

describe('the controller guarding a release', () => {
  const { cluster } = useReleaseCluster('guards');

  async function initialized(name: string, spec: Parameters<typeof quickRollout>[1] = {}): Promise<void> {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo(name) });
    await cluster().createRollout(quickRollout(name, spec));
    await cluster().waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
  }

  it('rolls back a canary that never becomes ready at the progress deadline, routes 100/0', async () => {
    await initialized('stuck', { progressDeadlineSeconds: 3 });
    await cluster().updateDeployment('stuck', (d) => {
      d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [KubeletAnnotation.Unready]: 'true' } };
      const container = d.spec?.template.spec?.containers[0];
      if (container) container.image = 'podinfo:broken';
    });

    const r = await cluster().waitForRollout('stuck', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(r.status?.message).toMatch(/^rolled back: canary stuck not ready within 3s/);
    expect(r.status?.conditions?.find((c) => c.type === 'Promoted')).toMatchObject({ status: 'False', reason: 'Failed' });
    const vs = await cluster().virtualService('stuck');
    expect(vs.spec.http[0]?.route.map((x) => x.weight)).toEqual([100, 0]);
    await waitFor('canary scaled to zero', async () => (await cluster().apps.readNamespacedDeployment({ name: 'stuck', namespace: cluster().namespace })).spec?.replicas === 0, { timeoutMs: 10_000 });
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'stuck-primary', namespace: cluster().namespace });
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.5.0');
    expect((await cluster().eventsOnce('stuck', 'RolledBack')).map((e) => e.reason)).toContain('RolledBack');
  });

  it('reverts a hand edit of the VirtualService weights and records it', async () => {
    await initialized('drift');
    const vs = await cluster().virtualService('drift');
    const http = vs.spec.http.map((h) => ({ ...h, route: h.route.map((x) => ({ ...x, weight: 50 })) }));
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: cluster().namespace, name: 'drift', body: { spec: { http } } },
      mergePatch,
    );
    await waitFor('weights restored', async () => (await cluster().virtualService('drift')).spec.http[0]?.route[0]?.weight === 100, { timeoutMs: 15_000 });
    const drift = (await cluster().eventsOnce('drift', 'RouteDrift')).find((e) => e.reason === 'RouteDrift');
    expect(drift?.message).toContain('primary 50 / canary 50');
  });

  it('hands traffic back to the original Deployment on delete with revertOnDeletion', async () => {
    await initialized('revert', { revertOnDeletion: true });
    const ns = cluster().namespace;
    expect((await cluster().rollout('revert')).metadata.finalizers).toContain('flowshift.io/revert-on-deletion');
    await cluster().custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'revert' });
    await cluster().waitForRolloutGone('revert');

    const apex = await cluster().core.readNamespacedService({ name: 'revert', namespace: ns });
    expect(apex.spec?.selector).toEqual({ app: 'revert' });
    expect(apex.metadata?.ownerReferences ?? []).toEqual([]);
    const target = await cluster().apps.readNamespacedDeployment({ name: 'revert', namespace: ns });
    expect(target.spec?.replicas).toBe(2);
    const vs = (await cluster().virtualService('revert')) as { metadata?: { ownerReferences?: unknown[] }; spec: { http: { route: { destination: { host: string }; weight: number }[] }[] } };
    expect(vs.metadata?.ownerReferences ?? []).toEqual([]);
    expect(vs.spec.http[0]?.route).toEqual([{ destination: { host: 'revert', port: { number: 9898 } }, weight: 100 }]);
  });

  it('reports a Rollout whose target does not exist in its status and an Event, creating nothing', async () => {
    await cluster().createRollout(quickRollout('ghost'));
    const r = await cluster().waitForRollout('ghost', 'invalid message', (x) => x.status?.message?.startsWith('invalid:') ?? false, 15_000);
    expect(r.status?.message).toContain(`target Deployment ${cluster().namespace}/ghost not found`);
    expect(r.status?.conditions?.find((c) => c.type === 'Invalid')?.status).toBe('True');
    expect((await cluster().eventsOnce('ghost', 'InvalidSpec')).find((e) => e.reason === 'InvalidSpec')?.type).toBe('Warning');
    await expect(cluster().apps.readNamespacedDeployment({ name: 'ghost-primary', namespace: cluster().namespace })).rejects.toThrow();
  });

  it('reports a metric query with a PromQL syntax error with its field and position before any traffic moves', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('badquery') });
    await cluster().createRollout(
      quickRollout('badquery', { analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'errors', query: 'sum(rate(http_errors_total[1m])', thresholdRange: { max: 1 } }] } }),
    );
    const r = await cluster().waitForRollout('badquery', 'invalid message', (x) => x.status?.message?.startsWith('invalid:') ?? false, 15_000);
    expect(r.status?.message).toMatch(/spec\.analysis\.metrics\[0\]\.query/);
    expect(r.status?.message).toMatch(/1:\d+/);
    await expect(cluster().virtualService('badquery')).rejects.toThrow();
  });

  it('acts on a canary turning ready at once, not an analysis interval later', async () => {
    await initialized('prompt', { analysis: { interval: '5m', threshold: 2 } });
    await cluster().setImage('prompt', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    // The first step needs no analysis, only a ready canary: well within the 5m interval.
    const r = await cluster().waitForRollout('prompt', 'first step', (x) => x.status?.canaryWeight === 20, 30_000);
    expect(r.status?.phase).toBe('Progressing');
  });
});
