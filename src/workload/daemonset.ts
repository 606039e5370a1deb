import type { AppsV1Api, V1DaemonSet, V1PodTemplateSpec } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import { ownedNames, primaryName } from '../api/names.js';
import type { CanaryObservation } from '../domain/model.js';
import { isParked, parkingPatch, unparked } from './parking.js';
import { daemonSetReadiness } from './readiness.js';
import { sideBySideProblem } from './side-by-side.js';
import { primaryMetadata } from './workload.js';
import { WorkloadTarget } from './workload-target.js';

/**
 * A DaemonSet target (docs/daemonsets.md). The primary `<target>-primary` is
 * a DaemonSet cloned from the target's template, as for a Deployment. The
 * target serves as the canary, as a Deployment does: its pods are the ones
 * `<service>-canary` selects and Istio reports as workload `<target>`, so
 * metric queries and dashboards read the same. A DaemonSet cannot be scaled,
 * so between releases it is parked (parking.ts): its pods are removed from
 * every node, and come back on every node the template selects when a
 * release needs the canary. "Replicas" in the Target interface mean here:
 * 0, parked; anything else, running on its nodes.
 */
export class DaemonSetTarget extends WorkloadTarget<V1DaemonSet> {
  readonly kind = 'DaemonSet';
  private readonly apps: AppsV1Api;

  constructor(clients: KubeClients, cache?: ClusterCache) {
    super(clients, cache);
    this.apps = clients.apps;
  }

  /** `replicas` is not used: a DaemonSet runs one pod on each node its template selects. */
  async ensurePrimary(rollout: Rollout, revision: string): Promise<void> {
    const names = ownedNames(rollout);
    const target = await this.mustRead(names.namespace, names.target);
    if (await this.read(names.namespace, names.primary)) return;
    const label = this.label(target);
    const template = await this.primaryTemplate(rollout, target);
    await this.apps.createNamespacedDaemonSet({
      namespace: names.namespace,
      body: {
        metadata: primaryMetadata(rollout, target, label, revision),
        spec: { ...target.spec, selector: { matchLabels: { [label.key]: primaryName(label.value) } }, template },
      },
    });
  }

  /** Parks the target (0) or lets it run on its nodes (anything else). */
  async scaleCanary(rollout: Rollout, replicas: number): Promise<void> {
    const names = ownedNames(rollout);
    this.remember(await this.patch(names.namespace, names.target, parkingPatch(replicas === 0)));
  }

  progressKey(target: V1DaemonSet | undefined, primary: V1DaemonSet | undefined): string {
    const key = (ds: V1DaemonSet | undefined): string => {
      const st = ds?.status;
      return `${st?.observedGeneration ?? 0}/${st?.desiredNumberScheduled ?? 0}/${st?.updatedNumberScheduled ?? 0}/${st?.numberAvailable ?? 0}`;
    };
    return `${key(target)}|${key(primary)}`;
  }

  cached(namespace: string, name: string): V1DaemonSet | undefined {
    return this.cache?.daemonSet(namespace, name);
  }

  protected refusal(target: V1DaemonSet): string | undefined {
    return sideBySideProblem(`${target.metadata?.namespace ?? ''}/${target.metadata?.name ?? ''}`, this.released(target));
  }

  /** The template without the parking entry: parking is not a release. */
  protected override released(target: V1DaemonSet): V1PodTemplateSpec | undefined {
    return unparked(target.spec?.template);
  }

  protected fetch(namespace: string, name: string): Promise<V1DaemonSet> {
    return this.apps.readNamespacedDaemonSet({ name, namespace });
  }

  protected replace(namespace: string, name: string, body: V1DaemonSet): Promise<V1DaemonSet> {
    return this.apps.replaceNamespacedDaemonSet({ name, namespace, body });
  }

  protected patch(namespace: string, name: string, body: object): Promise<V1DaemonSet> {
    return this.apps.patchNamespacedDaemonSet({ name, namespace, body });
  }

  /** Parked: 0 replicas; running: one per node it is scheduled on (at least 1, so a DaemonSet on no node yet is not taken for a parked one). */
  protected sized(ds: V1DaemonSet, thresholdPercent: number): CanaryObservation {
    const replicas = isParked(ds.spec?.template) ? 0 : Math.max(ds.status?.desiredNumberScheduled ?? 0, 1);
    return { ...daemonSetReadiness(ds, thresholdPercent), replicas };
  }
}
