import { fileURLToPath } from 'node:url';
import { ApiextensionsV1Api, AppsV1Api, AutoscalingV2Api, Watch, type V1Deployment, type V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { installCrds, readCrdFile } from '../../../devenv/env/crds.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { kubeConfig, mergePatch } from '../../support/env/context.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

const KEDA_CRD = fileURLToPath(new URL('../../fixtures/keda-scaledobject-crd.yaml', import.meta.url));
const keda = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;
const hpaRef = (name: string): NonNullable<Rollout['spec']['autoscalerRef']> => ({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name });

/**
 * spec.autoscalerRef against the real API server. No HPA controller runs
 * there: the test plays it, writing the scale subresource of the Deployment
 * an HPA scales, as the HPA controller does.
 */
describe('a Rollout with an autoscaler', () => {
  const { cluster } = useReleaseCluster('autoscale');
  const autoscaling = kubeConfig().makeApiClient(AutoscalingV2Api);
  const ns = (): string => cluster().namespace;

  afterAll(async () => {
    // The KEDA stand-in is this file's alone: other files see the API server without it.
    await kubeConfig().makeApiClient(ApiextensionsV1Api).deleteCustomResourceDefinition({ name: 'scaledobjects.keda.sh' }).catch(() => undefined);
  });

  async function createHpa(name: string, target: string, spec: Partial<V2HorizontalPodAutoscaler['spec']> = {}): Promise<void> {
    await autoscaling.createNamespacedHorizontalPodAutoscaler({
      namespace: ns(),
      body: {
        metadata: { name, labels: { team: 'shop' } },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
          minReplicas: 2,
          maxReplicas: 10,
          metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
          ...spec,
        },
      },
    });
  }

  /** What the HPA controller does: writes the replicas of the Deployment it scales through the scale subresource. */
  async function scaleAsHpa(deployment: string, replicas: number): Promise<void> {
    await cluster().apps.patchNamespacedDeploymentScale({ name: deployment, namespace: ns(), body: { spec: { replicas } } }, mergePatch);
  }

  const invalid = (name: string, text: string): Promise<Rollout> =>
    cluster().waitForRollout(name, `invalid: ${text}`, (r) => (r.status?.message?.startsWith('invalid:') ?? false) && r.status?.message?.includes(text) === true, 20_000);

  it('gives the primary a copy of the HPA, sized where the HPA stood, and carries an HPA edit to it without a release', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: { ...podinfo('web'), spec: { ...podinfo('web').spec!, replicas: 4 } } });
    await createHpa('web', 'web');
    await cluster().createRollout(quickRollout('web', { autoscalerRef: hpaRef('web') }));
    const initialized = await cluster().waitForRollout('web', 'web Initialized', (r) => r.status?.phase === 'Initialized');

    const primary = await cluster().apps.readNamespacedDeployment({ name: 'web-primary', namespace: ns() });
    expect(primary.spec?.replicas).toBe(4);
    const copy = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web-primary', namespace: ns() });
    expect(copy.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'web-primary' });
    expect(copy.spec.maxReplicas).toBe(10);
    expect(copy.metadata?.labels).toEqual({ team: 'shop', 'app.kubernetes.io/managed-by': 'flowshift' });
    expect(copy.metadata?.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'web', controller: true });

    const metrics = [{ type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '300Mi' } } }];
    await autoscaling.patchNamespacedHorizontalPodAutoscaler({ name: 'web', namespace: ns(), body: { spec: { maxReplicas: 14, metrics } } }, mergePatch);
    await waitFor('the edit in web-primary', async () => {
      const now = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'web-primary', namespace: ns() });
      return now.spec.maxReplicas === 14 && now.spec.metrics?.[0]?.resource?.name === 'memory';
    }, { timeoutMs: 20_000 });
    const after = await cluster().rollout('web');
    expect(after.status?.phase).toBe('Initialized');
    expect(after.status?.lastAppliedSpec).toBe(initialized.status?.lastAppliedSpec);
  });

  it('releases while the HPA scales the canary mid-analysis: flowshift wakes it and scales it to zero, and writes no replicas in between', async () => {
    await waitFor('web at zero between releases', async () => (await cluster().apps.readNamespacedDeployment({ name: 'web', namespace: ns() })).spec?.replicas === 0, { timeoutMs: 20_000 });
    const replicas = await recordReplicas(ns(), 'web');
    try {
      await cluster().setImage('web', 'ghcr.io/stefanprodan/podinfo:6.6.0');
      await cluster().waitForRollout('web', 'canary under traffic', (r) => r.status?.phase === 'Progressing' && (r.status.canaryWeight ?? 0) > 0);
      await scaleAsHpa('web', 5);
      // The primary's copy scales the primary meanwhile: promotion keeps what it set.
      await scaleAsHpa('web-primary', 6);
      await cluster().waitForRollout('web', 'web Succeeded', (r) => r.status?.phase === 'Succeeded');
      await waitFor('canary back at zero', () => Promise.resolve(replicas.values.at(-1) === 0), { timeoutMs: 20_000 });
    } finally {
      replicas.stop();
    }
    // Woken to the HPA's minReplicas (2), scaled by the "HPA" to 5, back to 0 after the release: no other write.
    expect(replicas.values).toEqual([2, 5, 0]);
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'web-primary', namespace: ns() });
    expect(primary.spec?.replicas).toBe(6);
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
  });

  it('refuses an autoscaler that does not exist, one that scales another workload, and a copy name someone else holds', async () => {
    for (const name of ['lost', 'wrong', 'taken']) await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo(name) });
    await createHpa('wrong-hpa', 'api');
    await createHpa('taken', 'taken');
    await createHpa('taken-primary', 'somebody-else', { maxReplicas: 3 });
    await cluster().createRollout(quickRollout('lost', { autoscalerRef: hpaRef('lost') }));
    await cluster().createRollout(quickRollout('wrong', { autoscalerRef: hpaRef('wrong-hpa') }));
    await cluster().createRollout(quickRollout('taken', { autoscalerRef: hpaRef('taken') }));

    await invalid('lost', `spec.autoscalerRef.name: HorizontalPodAutoscaler ${ns()}/lost not found: create it, or fix or remove spec.autoscalerRef`);
    await invalid('wrong', `spec.autoscalerRef.name: HorizontalPodAutoscaler ${ns()}/wrong-hpa scales Deployment api, not the target Deployment wrong`);
    await invalid('taken', `HorizontalPodAutoscaler ${ns()}/taken-primary already exists and is not managed by this Rollout`);
    const events = await cluster().eventsOnce('lost', 'InvalidSpec');
    expect(events.find((e) => e.reason === 'InvalidSpec')?.message).toContain('spec.autoscalerRef.name');
    const untouched = await autoscaling.readNamespacedHorizontalPodAutoscaler({ name: 'taken-primary', namespace: ns() });
    expect(untouched.spec.scaleTargetRef.name).toBe('somebody-else');
    expect(untouched.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('is refused by the CRD for a kind it does not support, or an apiVersion that is not the kind\'s', async () => {
    const refused = (autoscalerRef: object): Promise<void> => cluster().createRollout(quickRollout('never', { autoscalerRef } as never));
    await expect(refused({ apiVersion: 'autoscaling.k8s.io/v1', kind: 'VerticalPodAutoscaler', name: 'x' })).rejects.toThrow(/spec.autoscalerRef.kind/);
    await expect(refused({ apiVersion: 'autoscaling/v2', kind: 'ScaledObject', name: 'x' })).rejects.toThrow(/apiVersion must be autoscaling\/v2 for a HorizontalPodAutoscaler and keda.sh\/v1alpha1 for a ScaledObject/);
  });

  it('refuses a ScaledObject while KEDA is not served, then copies and pauses one once it is', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('queue') });
    const ref = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', name: 'queue' } as const;
    await cluster().createRollout(quickRollout('queue', { autoscalerRef: ref }));
    await invalid('queue', 'spec.autoscalerRef.kind: ScaledObject needs keda.sh/v1alpha1, which the API server does not serve: install KEDA');

    await installCrds(kubeConfig(), readCrdFile(KEDA_CRD));
    const spec = { scaleTargetRef: { name: 'queue' }, minReplicaCount: 1, maxReplicaCount: 8, triggers: [{ type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '4' } }] };
    await cluster().custom.createNamespacedCustomObject({ ...keda, namespace: ns(), body: { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'queue' }, spec } });
    await cluster().waitForRollout('queue', 'queue Initialized', (r) => r.status?.phase === 'Initialized', 60_000);

    const copy = (await cluster().custom.getNamespacedCustomObject({ ...keda, namespace: ns(), name: 'queue-primary' })) as { spec: object; metadata: { ownerReferences?: object[] } };
    expect(copy.spec).toEqual({ ...spec, scaleTargetRef: { name: 'queue-primary' } });
    expect(copy.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'Rollout', name: 'queue' });
    // KEDA would scale a target at zero back up: the user's ScaledObject is paused at zero with the canary.
    await waitFor('the ScaledObject paused at zero', async () => {
      const user = (await cluster().custom.getNamespacedCustomObject({ ...keda, namespace: ns(), name: 'queue' })) as { metadata: { annotations?: Record<string, string> } };
      return user.metadata.annotations?.['autoscaling.keda.sh/paused-replicas'] === '0';
    }, { timeoutMs: 20_000 });
  });
});

/** Every value spec.replicas of Deployment `name` takes from now on, in order (a watch on it alone). */
async function recordReplicas(namespace: string, name: string): Promise<{ readonly values: number[]; stop: () => void }> {
  const values: number[] = [];
  const start = await kubeConfig().makeApiClient(AppsV1Api).readNamespacedDeployment({ name, namespace });
  let last = start.spec?.replicas;
  const controller = await new Watch(kubeConfig()).watch(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { fieldSelector: `metadata.name=${name}`, resourceVersion: start.metadata?.resourceVersion ?? '' },
    (_type: string, d: V1Deployment) => {
      const now = d.spec?.replicas;
      if (now !== undefined && now !== last) values.push(now);
      last = now;
    },
    () => undefined,
  );
  return { values, stop: () => controller.abort() };
}
