import type { V1Deployment, AppsV1Api } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import { ownedNames, primaryName } from '../api/names.js';
import type { CanaryObservation } from '../domain/model.js';
import { deploymentReadiness } from './readiness.js';
import { primaryMetadata } from './workload.js';
import { WorkloadTarget } from './workload-target.js';

/** A Deployment target: the canary is scaled to zero between releases, and up to the primary's replicas for one. */
export class DeploymentTarget extends WorkloadTarget<V1Deployment> {
  readonly kind = 'Deployment';
  private readonly apps: AppsV1Api;

  constructor(clients: KubeClients, cache?: ClusterCache) {
    super(clients, cache);
    this.apps = clients.apps;
  }

  async ensurePrimary(rollout: Rollout, revision: string, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    const target = await this.mustRead(names.namespace, names.target);
    if (await this.read(names.namespace, names.primary)) return;
    const label = this.label(target);
    const template = await this.primaryTemplate(rollout, target);
    await this.apps.createNamespacedDeployment({
      namespace: names.namespace,
      body: {
        metadata: primaryMetadata(rollout, target, label, revision),
        spec: {
          ...target.spec,
          replicas,
          selector: { matchLabels: { [label.key]: primaryName(label.value) } },
          template,
        },
      },
    });
  }

  async scaleCanary(rollout: Rollout, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    this.remember(await this.apps.patchNamespacedDeployment({ name: names.target, namespace: names.namespace, body: { spec: { replicas } } }));
  }

  progressKey(target: V1Deployment | undefined, primary: V1Deployment | undefined): string {
    return progressKey(target, primary);
  }

  cached(namespace: string, name: string): V1Deployment | undefined {
    return this.cache?.deployment(namespace, name);
  }

  protected fetch(namespace: string, name: string): Promise<V1Deployment> {
    return this.apps.readNamespacedDeployment({ name, namespace });
  }

  protected replace(namespace: string, name: string, body: V1Deployment): Promise<V1Deployment> {
    return this.apps.replaceNamespacedDeployment({ name, namespace, body });
  }

  protected patch(namespace: string, name: string, body: object): Promise<V1Deployment> {
    return this.apps.patchNamespacedDeployment({ name, namespace, body });
  }

  protected refusal(): undefined {
    return undefined;
  }

  protected sized(d: V1Deployment, thresholdPercent: number): CanaryObservation {
    return { ...deploymentReadiness(d, thresholdPercent), replicas: d.spec?.replicas ?? 1 };
  }
}

/** What a Deployment's readiness is computed from, for target and primary: equal keys, equal readiness. */
export function progressKey(target: V1Deployment | undefined, primary: V1Deployment | undefined): string {
  const key = (d: V1Deployment | undefined): string => {
    const st = d?.status;
    return `${st?.observedGeneration ?? 0}/${st?.updatedReplicas ?? 0}/${st?.availableReplicas ?? 0}/${st?.conditions?.length ?? 0}`;
  };
  return `${key(target)}|${key(primary)}`;
}
