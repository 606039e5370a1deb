import type { V1Deployment, AppsV1Api } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import { ownedNames, primaryName } from '../api/names.js';
import { ServedApis } from '../kube/served-apis.js';
import type { CanaryObservation } from '../domain/model.js';
import { deploymentReadiness } from './readiness.js';
import { primaryMetadata } from './workload.js';
import { WorkloadTarget } from './workload-target.js';
import { PrimaryAutoscaler, type AutoscalerSight, type Serves } from './autoscaler/primary-autoscaler.js';

/**
 * A Deployment target: the canary is scaled to zero between releases, and up
 * to the primary's replicas (or its autoscaler's floor) for one. With
 * spec.autoscalerRef the primary gets its own copy of the user's autoscaler.
 */
export class DeploymentTarget extends WorkloadTarget<V1Deployment> {
  readonly kind = 'Deployment';
  private readonly apps: AppsV1Api;
  private readonly autoscaler: PrimaryAutoscaler;

  constructor(clients: KubeClients, cache?: ClusterCache, serves: Serves = servedBy(clients)) {
    super(clients, cache);
    this.apps = clients.apps;
    this.autoscaler = new PrimaryAutoscaler(clients, serves, cache);
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

  override async releasePrimary(rollout: Rollout): Promise<void> {
    await this.autoscaler.release(rollout);
    await super.releasePrimary(rollout);
  }

  /**
   * The only replica writes to the target: waking it from zero and putting
   * it back to zero. An autoscaler that would scale a target at zero (KEDA)
   * is let go before the wake and held after the scale-down.
   */
  async scaleCanary(rollout: Rollout, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    if (replicas > 0) await this.autoscaler.hold(rollout, false);
    this.remember(await this.apps.patchNamespacedDeployment({ name: names.target, namespace: names.namespace, body: { spec: { replicas } } }));
    if (replicas === 0) await this.autoscaler.hold(rollout, true);
  }

  override async syncAutoscaler(rollout: Rollout): Promise<void> {
    await this.autoscaler.sync(rollout);
  }

  progressKey(target: V1Deployment | undefined, primary: V1Deployment | undefined): string {
    return progressKey(target, primary);
  }

  cached(namespace: string, name: string): V1Deployment | undefined {
    return this.cache?.deployment(namespace, name);
  }

  protected override observeAutoscaler(rollout: Rollout): Promise<AutoscalerSight | undefined> {
    return this.autoscaler.observe(rollout);
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

  protected sized(d: V1Deployment, thresholdPercent: number, autoscaledFloor?: number): CanaryObservation {
    return { ...deploymentReadiness(d, thresholdPercent, autoscaledFloor), replicas: d.spec?.replicas ?? 1 };
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

/** Discovery for the ScaledObject check, one answer kept a while for every Rollout (ServedApis). */
function servedBy(clients: KubeClients): Serves {
  const apis = new ServedApis(clients);
  return (group, version) => apis.serves(group, version);
}
