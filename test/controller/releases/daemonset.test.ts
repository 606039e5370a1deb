import type { V1DaemonSet } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { PARK_KEY } from '../../../src/workload/parking.js';
import { podinfoDaemonSet, updateDaemonSetWithRetry } from '../../../devenv/env/daemonsets.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { KubeletAnnotation } from '../../support/env/context.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

/** quickRollout for the DaemonSet `name`. */
function daemonSetRollout(name: string, spec: Partial<Rollout['spec']> = {}): Rollout {
  const r = quickRollout(name, spec);
  return { ...r, spec: { ...r.spec, targetRef: { apiVersion: 'apps/v1', kind: 'DaemonSet', name } } };
}

describe('DaemonSet targets, released by the controller process', () => {
  const { cluster } = useReleaseCluster('daemonset');
  const read = (name: string): Promise<V1DaemonSet> => cluster().apps.readNamespacedDaemonSet({ name, namespace: cluster().namespace });
  /** Parked, and the stand-in (the DaemonSet controller) says no node runs its pods. */
  const podsGone = async (name: string): Promise<boolean> => {
    const ds = await read(name);
    return ds.spec?.template.spec?.nodeSelector?.[PARK_KEY] === 'true' && ds.status?.observedGeneration === ds.metadata?.generation && ds.status?.desiredNumberScheduled === 0;
  };
  const initialized = async (name: string, spec: Partial<Rollout['spec']> = {}): Promise<void> => {
    await cluster().apps.createNamespacedDaemonSet({ namespace: cluster().namespace, body: podinfoDaemonSet(name) });
    await cluster().createRollout(daemonSetRollout(name, spec));
    await cluster().waitForRollout(name, 'Initialized', (x) => x.status?.phase === 'Initialized');
    await waitFor(`${name} parked`, () => podsGone(name), { timeoutMs: 10_000 });
  };
  const setImage = (name: string, image: string, annotations: Record<string, string> = {}): Promise<void> =>
    updateDaemonSetWithRetry(cluster().apps, cluster().namespace, name, (ds) => {
      ds.metadata = { ...ds.metadata, annotations: { ...ds.metadata?.annotations, ...annotations } };
      const container = ds.spec?.template.spec?.containers[0];
      if (container) container.image = image;
    });

  it('initializes: a primary DaemonSet on every node, Services selecting each version, the target parked', async () => {
    await initialized('agent');
    const primary = await read('agent-primary');
    expect(primary.spec?.selector.matchLabels).toEqual({ app: 'agent-primary' });
    expect(primary.spec?.template.metadata?.labels).toMatchObject({ app: 'agent-primary' });
    // Parking is the target's business only: the primary runs wherever the user's template says.
    expect(primary.spec?.template.spec?.nodeSelector).toBeUndefined();
    expect(primary.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'agent', controller: true });
    await waitFor('primary on all 3 nodes', async () => (await read('agent-primary')).status?.numberAvailable === 3, { timeoutMs: 10_000 });
    const services = await cluster().core.listNamespacedService({ namespace: cluster().namespace });
    expect(services.items.map((s) => [s.metadata?.name, s.spec?.selector]).sort()).toEqual([
      ['agent', { app: 'agent-primary' }],
      ['agent-canary', { app: 'agent' }],
      ['agent-primary', { app: 'agent-primary' }],
    ]);
    // Parking is no release: the revision stays the one promoted at initialization.
    const r = await cluster().rollout('agent');
    expect(r.status?.lastAppliedSpec).toBe(r.status?.lastPromotedSpec);
  });

  it('releases a new image step by step, copies it into the primary DaemonSet and removes the canary pods again', async () => {
    const recorder = await cluster().recordWeights('agent');
    await setImage('agent', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const r = await cluster().waitForRollout('agent', 'Succeeded', (x) => x.status?.phase === 'Succeeded');
    recorder.stop();
    expect(recorder.weights).toEqual([0, 20, 40, 60, 0]);
    expect(r.status?.lastPromotedSpec).toBe(r.status?.lastAppliedSpec);

    const primary = await read('agent-primary');
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
    expect(primary.spec?.template.spec?.nodeSelector).toBeUndefined();
    await waitFor('canary pods gone', () => podsGone('agent'), { timeoutMs: 15_000 });
    // The user's own template is as they wrote it, but for the one parking entry.
    const target = await read('agent');
    expect(target.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
    expect(target.spec?.template.spec?.nodeSelector).toEqual({ [PARK_KEY]: 'true' });
  });

  it('rolls back a canary that never becomes ready: routes 100/0, the primary untouched, the canary pods gone', async () => {
    await initialized('stuck', { progressDeadlineSeconds: 3 });
    await setImage('stuck', 'podinfo:broken', { [KubeletAnnotation.Unready]: 'true' });
    const r = await cluster().waitForRollout('stuck', 'Failed', (x) => x.status?.phase === 'Failed');
    expect(r.status?.message).toMatch(/^rolled back: canary stuck not ready within 3s/);
    expect((await cluster().virtualService('stuck')).spec.http[0]?.route.map((x) => x.weight)).toEqual([100, 0]);
    await waitFor('canary pods gone', () => podsGone('stuck'), { timeoutMs: 10_000 });
    expect((await read('stuck-primary')).spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.5.0');
  });

  it('refuses a DaemonSet whose pods take a host port, by field, and creates nothing', async () => {
    const body = podinfoDaemonSet('hostport');
    const port = body.spec?.template.spec?.containers[0]?.ports?.[0];
    if (port) port.hostPort = 9898;
    await cluster().apps.createNamespacedDaemonSet({ namespace: cluster().namespace, body });
    await cluster().createRollout(daemonSetRollout('hostport'));
    const r = await cluster().waitForRollout('hostport', 'refused', (x) => (x.status?.message ?? '').includes('hostPort'));
    expect(r.status?.message).toContain('spec.template.spec.containers[0].ports[0].hostPort 9898 can be bound by one pod per node');
    await expect(read('hostport-primary')).rejects.toMatchObject({ code: 404 });
  });
});
