import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { AutoscalingV2Api, type V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDITED_NAMESPACE } from '../../devenv/env/apiserver.js';
import { createNamespace, env, kubeConfig, mergePatch } from '../support/env/context.js';
import { waitFor } from '../../devenv/env/processes.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';
import { podinfoStatefulSet, updateStatefulSetWithRetry } from '../../devenv/env/statefulsets.js';
import { ROOT, find, grants, render, type PolicyRule } from './manifests.js';
import { auditedRequests, serviceAccountKubeconfig } from './service-account.js';

const SERVICE_ACCOUNT = `system:serviceaccount:${AUDITED_NAMESPACE}:flowshift`;

/**
 * Granted, yet no request of this scenario needs it: each says why it stays.
 * Anything else granted and never used fails the test.
 */
const NEEDED_WITHOUT_A_REQUEST: Record<string, string> = {
  'flowshift.io/rollouts/finalizers:update':
    'checked by the OwnerReferencesPermissionEnforcement admission plugin when flowshift creates an object with blockOwnerDeletion (not a request of its own)',
  '/services:delete': 'removing the ownerReference of the apex Service on revertOnDeletion (OwnerReferencesPermissionEnforcement asks for delete)',
  'networking.istio.io/virtualservices:delete': 'removing the ownerReference of the VirtualService on revertOnDeletion (as for the Service)',
  'apps/deployments:get': 'a read when the informer cache has not seen a Deployment yet (e.g. right after creating the primary)',
  'apps/daemonsets:get': 'DaemonSet targets (this scenario releases Deployments; test/controller/releases/daemonset.test.ts covers them)',
  'apps/daemonsets:create': 'as daemonsets:get: the primary DaemonSet',
  'apps/daemonsets:update': 'as daemonsets:get: promotion replaces the primary DaemonSet',
  'apps/daemonsets:patch': 'as daemonsets:get: parking the target DaemonSet',
  'apps/deployments:delete': 'removing the ownerReference of the primary when a Rollout with an adopted route is deleted (OwnerReferencesPermissionEnforcement asks for delete); flowshift never deletes one',
  'apps/daemonsets:delete': 'as deployments:delete, for a DaemonSet primary',
  'apps/statefulsets:get': 'a read when the informer has not seen a StatefulSet target yet',
  'flowshift.io/alertproviders:get': 'Rollouts with analysis.alerts (this scenario has none; test/notifier covers them)',
  'gateway.networking.k8s.io/httproutes:get': 'Rollouts with spec.provider gatewayapi (this scenario is Istio; test/engine/strategies covers them)',
  'gateway.networking.k8s.io/httproutes:create': 'as httproutes:get',
  'gateway.networking.k8s.io/httproutes:patch': 'as httproutes:get',
  'flowshift.io/rollouts:get': 'a tick reads its Rollout from the informer; get only when the informer does not hold it (at start-up, or another uid)',
  '/events:patch': 'a repeated Event raises the count of the one recorded before (this scenario repeats none; test/engine/event-recorder covers it)',
  'gateway.networking.k8s.io/httproutes:list': 'the route informer, when the API server serves the Gateway API',
  'gateway.networking.k8s.io/httproutes:watch': 'as httproutes:list',
  'gateway.networking.k8s.io/httproutes:delete': 'removing the ownerReference of the HTTPRoute on revertOnDeletion (as for the Service)',
  'autoscaling/horizontalpodautoscalers:update': "replacing the primary's HPA copy when the user's HPA changes (this scenario edits none; test/controller/releases/autoscaler.test.ts does)",
  'autoscaling/horizontalpodautoscalers:patch': 'keepStable removes the ownerReference of the copy (this scenario adopts no route)',
  'autoscaling/horizontalpodautoscalers:delete': 'as horizontalpodautoscalers:patch (OwnerReferencesPermissionEnforcement asks for delete)',
  'keda.sh/scaledobjects:get': 'Rollouts whose spec.autoscalerRef is a KEDA ScaledObject (KEDA is not installed here; test/controller/releases/autoscaler.test.ts covers them)',
  'keda.sh/scaledobjects:list': 'as scaledobjects:get',
  'keda.sh/scaledobjects:watch': 'as scaledobjects:get',
  'keda.sh/scaledobjects:create': 'as scaledobjects:get',
  'keda.sh/scaledobjects:update': 'as scaledobjects:get',
  'keda.sh/scaledobjects:patch': 'as scaledobjects:get',
  'keda.sh/scaledobjects:delete': 'as scaledobjects:get',
};

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('kubectl', ['--kubeconfig', env().kubeconfigPath, '--cache-dir', join(env().dir, 'kubectl-cache'), ...args]);
  return stdout;
}

/** podinfo reading a ConfigMap and a Secret, so config watches and copies run too. */
function withConfigs(name: string): V1Deployment {
  const d = podinfo(name);
  const pod = d.spec?.template.spec;
  const container = pod?.containers[0];
  if (pod && container) {
    container.envFrom = [{ configMapRef: { name: `${name}-settings` } }, { secretRef: { name: `${name}-creds` } }];
  }
  return d;
}

async function createHpa(namespace: string, name: string): Promise<void> {
  await kubeConfig().makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({
    namespace,
    body: { metadata: { name }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, minReplicas: 1, maxReplicas: 4 } },
  });
}

describe('deploy/base RBAC: the controller runs a release and a rollback as its ServiceAccount', () => {
  let cluster: Cluster;
  let controller: ControllerProcess | undefined;

  beforeAll(async () => {
    await kubectl('apply', '-k', join(ROOT, 'deploy/base'));
    cluster = new Cluster(await createNamespace('rbac'));
    const kubeconfig = await serviceAccountKubeconfig(AUDITED_NAMESPACE, 'flowshift');
    // The ClusterRoleBinding grants every namespace; watching only this one
    // keeps the controller off the Rollouts of other test files.
    controller = await startController(cluster.namespace, { kubeconfig });
  });
  afterAll(async () => {
    await controller?.stop();
  });

  it('releases with config copies and a MetricTemplate with credentials, rolls back a failing canary, and reverts on deletion', async () => {
    const ns = cluster.namespace;
    const custom = (plural: string, body: object): Promise<object> =>
      cluster.custom.createNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural, namespace: ns, body });
    await cluster.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'prometheus-auth' }, stringData: { token: 'not-checked-by-this-prometheus' } } });
    await custom('metrictemplates', {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'MetricTemplate',
      metadata: { name: 'one' },
      spec: { provider: { type: 'prometheus', address: env().prometheusUrl, secretRef: { name: 'prometheus-auth' } }, query: 'vector(1)' },
    });
    for (const name of ['good', 'bad']) {
      await cluster.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `${name}-settings` }, data: { COLOR: 'blue' } } });
      await cluster.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: `${name}-creds` }, stringData: { TOKEN: 'a' } } });
      await cluster.apps.createNamespacedDeployment({ namespace: ns, body: withConfigs(name) });
      const max = name === 'good' ? 2 : 0;
      // The good one is autoscaled: its HPA is read through the informer, and copied for the primary.
      if (name === 'good') await createHpa(ns, name);
      await cluster.createRollout(
        quickRollout(name, {
          ...(name === 'good' ? { autoscalerRef: { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', name } } : {}),
          revertOnDeletion: name === 'good',
          strategy: { canary: { stepWeights: [50] } },
          analysis: { interval: '1s', threshold: 2, metrics: [{ name: 'one', templateRef: { name: 'one' }, thresholdRange: { max } }] },
        }),
      );
    }
    for (const name of ['good', 'bad']) await cluster.waitForRollout(name, `${name} Initialized`, (r) => r.status?.phase === 'Initialized');

    // A changed trafficPolicy is patched into both DestinationRules.
    await cluster.custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'good', body: { spec: { service: { port: 9898, trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } } } } },
      mergePatch,
    );
    await waitFor('DestinationRule with the trafficPolicy', async () => {
      const rule = (await cluster.custom.getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'destinationrules', namespace: ns, name: 'good-canary' })) as { spec?: { trafficPolicy?: object } };
      return rule.spec?.trafficPolicy !== undefined;
    }, { timeoutMs: 30_000 });

    for (const name of ['good', 'bad']) {
      await cluster.core.replaceNamespacedSecret({ name: `${name}-creds`, namespace: ns, body: { metadata: { name: `${name}-creds` }, stringData: { TOKEN: 'b' } } });
      await cluster.core.replaceNamespacedConfigMap({ name: `${name}-settings`, namespace: ns, body: { metadata: { name: `${name}-settings` }, data: { COLOR: 'green' } } });
      await cluster.setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
    }
    await cluster.waitForRollout('good', 'good Succeeded', (r) => r.status?.phase === 'Succeeded');
    const copy = await cluster.core.readNamespacedConfigMap({ name: 'good-settings-primary', namespace: ns });
    expect(copy.data).toEqual({ COLOR: 'green' });
    const secretCopy = await cluster.core.readNamespacedSecret({ name: 'good-creds-primary', namespace: ns });
    expect(Buffer.from(secretCopy.data?.['TOKEN'] ?? '', 'base64').toString()).toBe('b');
    const failed = await cluster.waitForRollout('bad', 'bad Failed', (r) => r.status?.phase === 'Failed');
    expect(failed.status?.canaryWeight).toBe(0);
    expect((await cluster.virtualService('bad')).spec.http[0]?.route.map((r) => r.weight)).toEqual([100, 0]);

    await cluster.custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'good' });
    await cluster.waitForRolloutGone('good');
    const apex = await cluster.core.readNamespacedService({ name: 'good', namespace: ns });
    expect(apex.spec?.selector).toEqual({ app: 'good' });
  });

  it('lets the primary outlive a deleted Rollout whose route is the user\'s (virtualServiceRef)', async () => {
    const ns = cluster.namespace;
    const istio = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: ns };
    await cluster.apps.createNamespacedDeployment({ namespace: ns, body: podinfo('kept') });
    await cluster.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'kept' }, spec: { selector: { app: 'kept' }, ports: [{ name: 'http', port: 9898 }] } } });
    await cluster.custom.createNamespacedCustomObject({
      ...istio,
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'kept' }, spec: { hosts: ['kept'], http: [{ name: 'main', route: [{ destination: { host: 'kept' } }] }] } },
    });
    await cluster.createRollout(quickRollout('kept', { service: { port: 9898, virtualServiceRef: { name: 'kept', route: 'main' } } }));
    await cluster.waitForRollout('kept', 'kept Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster.custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'kept' });
    await cluster.waitForRolloutGone('kept');
    // Removing the ownerReference needs delete on the Deployment (OwnerReferencesPermissionEnforcement).
    const primary = await cluster.apps.readNamespacedDeployment({ name: 'kept-primary', namespace: ns });
    expect(primary.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('releases a StatefulSet and rolls one back, deleting the pods left at the failed revision', async () => {
    const ns = cluster.namespace;
    for (const name of ['sgood', 'sbad']) {
      await cluster.apps.createNamespacedStatefulSet({ namespace: ns, body: podinfoStatefulSet(name, 2) });
      const r = quickRollout(name, {
        strategy: { canary: { stepWeights: [50] } },
        // A StatefulSet's queries must tell its versions apart ({{ versionService }}); the value is 1 either way.
        analysis: { interval: '1s', threshold: 1, metrics: [{ name: 'one', query: 'vector(1) or on() up{service="{{ versionService }}"}', thresholdRange: { max: name === 'sgood' ? 2 : 0 } }] },
      });
      await cluster.createRollout({ ...r, spec: { ...r.spec, targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name } } });
    }
    for (const name of ['sgood', 'sbad']) await cluster.waitForRollout(name, `${name} Initialized`, (r) => r.status?.phase === 'Initialized');
    for (const name of ['sgood', 'sbad']) {
      await updateStatefulSetWithRetry(cluster.apps, ns, name, (sts) => {
        const container = sts.spec?.template.spec?.containers[0];
        if (container) container.image = 'ghcr.io/stefanprodan/podinfo:6.6.0';
      });
    }
    await cluster.waitForRollout('sgood', 'sgood Succeeded', (r) => r.status?.phase === 'Succeeded');
    await cluster.waitForRollout('sbad', 'sbad Failed', (r) => r.status?.phase === 'Failed');
    const current = (await cluster.apps.readNamespacedStatefulSet({ name: 'sbad', namespace: ns })).status?.currentRevision;
    await waitFor('sbad pods back at the current revision', async () => {
      const pods = (await cluster.core.listNamespacedPod({ namespace: ns, labelSelector: 'app=sbad' })).items;
      return pods.length === 2 && pods.every((p) => p.metadata?.labels?.['controller-revision-hash'] === current);
    }, { timeoutMs: 30_000 });
  });

  it('was refused nothing, and used every rule it is granted', async () => {
    await controller?.stop();
    controller = undefined;
    const requests = auditedRequests(SERVICE_ACCOUNT);
    expect(requests.length, 'no audited request: did the controller run as the ServiceAccount?').toBeGreaterThan(0);

    const refused = [...new Set(requests.filter((r) => r.code === 403).map((r) => `${r.grant} (${r.message})`))];
    expect(refused, 'the ServiceAccount was refused these: add them to deploy/base/cluster-role.yaml (and the namespaced Role)').toEqual([]);

    const granted = grants(find(await render('deploy/base'), 'ClusterRole', 'flowshift')['rules'] as PolicyRule[]);
    const used = new Set(requests.map((r) => r.grant));
    const unused = granted.filter((g) => !used.has(g) && !(g in NEEDED_WITHOUT_A_REQUEST));
    expect(unused, 'granted but never used by a release, a rollback and a deletion: remove them, or say why they stay').toEqual([]);
    const unknown = Object.keys(NEEDED_WITHOUT_A_REQUEST).filter((g) => !granted.includes(g));
    expect(unknown, 'NEEDED_WITHOUT_A_REQUEST names a grant the ClusterRole no longer has').toEqual([]);
  });
});
