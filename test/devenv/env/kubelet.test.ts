import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { createNamespace, KubeletAnnotation, kubeConfig } from '../../support/env/context.js';
import { deploymentStatus } from '../../../devenv/env/kubelet.js';
import { daemonSetRollout, podinfoDaemonSet } from '../../../devenv/env/daemonsets.js';
import { waitFor } from '../../../devenv/env/processes.js';

function deployment(name: string, annotations: Record<string, string> = {}, replicas = 2): V1Deployment {
  return {
    metadata: { name, annotations },
    spec: {
      replicas,
      progressDeadlineSeconds: 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'podinfo:6.0.0' }] } },
    },
  };
}

describe('deploymentStatus', () => {
  const d = deployment('x');
  d.metadata = { name: 'x', generation: 4 };

  it('reports ready replicas and Available=True once ready', () => {
    const s = deploymentStatus(d, true, 0, 1000);
    expect(s).toMatchObject({ observedGeneration: 4, replicas: 2, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2 });
    expect(s.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });

  it('reports unavailable replicas before ready', () => {
    const s = deploymentStatus(d, false, 0, 1000);
    expect(s).toMatchObject({ readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 2 });
    expect(s.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe('ReplicaSetUpdated');
  });

  it('marks an unready Deployment stalled after its progress deadline', () => {
    const s = deploymentStatus(d, false, 0, 2_001);
    expect(s.conditions?.find((c) => c.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });

  it('treats a Deployment scaled to zero as available', () => {
    const s = deploymentStatus(deployment('z', {}, 0), false, 0, 1);
    expect(s).toMatchObject({ replicas: 0, availableReplicas: 0 });
    expect(s.conditions?.find((c) => c.type === 'Available')?.status).toBe('True');
  });
});

describe('daemonSetRollout', () => {
  const ds = podinfoDaemonSet('agent');
  ds.metadata = { ...ds.metadata, generation: 5 };
  const pods = { readyAfterMs: 100, unready: false };
  const counts = (before: number, at: number, p = pods): number[] => {
    const { status } = daemonSetRollout(ds, { generation: 5, at: 0, before }, p, at);
    return [status.desiredNumberScheduled, status.updatedNumberScheduled ?? 0, status.numberAvailable ?? 0, status.numberUnavailable ?? 0];
  };

  it('schedules one pod per fake node, all at once on nodes that ran none, available after the delay', () => {
    expect(counts(0, 0)).toEqual([3, 3, 0, 3]);
    expect(counts(0, 100)).toEqual([3, 3, 3, 0]);
    expect(daemonSetRollout(ds, { generation: 5, at: 0, before: 0 }, pods, 100).status.observedGeneration).toBe(5);
  });

  it('replaces the pods of the previous generation one node at a time: desired, updated, available, unavailable', () => {
    expect([0, 100, 200, 300].map((at) => counts(3, at))).toEqual([
      [3, 1, 2, 1],
      [3, 2, 2, 1],
      [3, 3, 2, 1],
      [3, 3, 3, 0],
    ]);
    expect(daemonSetRollout(ds, { generation: 5, at: 0, before: 3 }, pods, 150).nextAt).toBe(200);
  });

  it('stalls on the first node when its pods stay unready, and runs nothing on no node', () => {
    expect(counts(3, 10_000, { ...pods, unready: true })).toEqual([3, 1, 2, 1]);
    const nowhere = podinfoDaemonSet('agent');
    if (nowhere.spec?.template.spec) nowhere.spec.template.spec.nodeSelector = { 'flowshift.io/parked': 'true' };
    expect(daemonSetRollout(nowhere, { generation: 1, at: 0, before: 3 }, pods, 0).status).toMatchObject({ desiredNumberScheduled: 0, numberAvailable: 0 });
  });
});

describe('the kubelet stand-in on the test API server', () => {
  const apps = kubeConfig().makeApiClient(AppsV1Api);
  let namespace: string;
  beforeAll(async () => {
    namespace = await createNamespace('kubelet');
  });
  const status = async (name: string): Promise<V1Deployment['status']> =>
    (await apps.readNamespacedDeploymentStatus({ name, namespace })).status;

  it('marks a new Deployment ready after the delay, for its current generation', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('web') });
    await waitFor('web ready', async () => (await status('web'))?.readyReplicas === 2, { timeoutMs: 10_000 });
    await apps.patchNamespacedDeployment(
      { name: 'web', namespace, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] },
    );
    await waitFor('web scaled', async () => (await status('web'))?.availableReplicas === 3, { timeoutMs: 10_000 });
    const read = await apps.readNamespacedDeployment({ name: 'web', namespace });
    expect(read.status?.observedGeneration).toBe(read.metadata?.generation);
  });

  it('keeps a Deployment annotated unready unready, and stalls it at its deadline', async () => {
    await apps.createNamespacedDeployment({ namespace, body: deployment('stuck', { [KubeletAnnotation.Unready]: 'true' }) });
    await waitFor(
      'stuck stalled',
      async () => (await status('stuck'))?.conditions?.some((c) => c.reason === 'ProgressDeadlineExceeded') ?? false,
      { timeoutMs: 10_000 },
    );
    const stuck = await status('stuck');
    // The API server omits zero counts, as it does for real Deployments.
    expect(stuck?.readyReplicas ?? 0).toBe(0);
    expect(stuck?.unavailableReplicas).toBe(2);
  });
});
