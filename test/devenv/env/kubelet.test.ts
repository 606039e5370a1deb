import { beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api, type V1Deployment } from '@kubernetes/client-node';
import { createNamespace, KubeletAnnotation, kubeConfig } from '../../support/env/context.js';
import { deploymentStatus } from '../../../devenv/env/kubelet.js';
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
