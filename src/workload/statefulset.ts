import type { AppsV1Api, CoreV1Api, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { DEFAULTS } from '../api/schema/defaults.js';
import { ownedNames } from '../api/names.js';
import type { Rollout } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import type { KubeClients } from '../kube/client.js';
import { isNotFound } from '../kube/errors.js';
import { OwnWrites } from './own-writes.js';
import {
  PARTITION_TOP,
  POD_NAME_LABEL,
  REVISION_HASH_LABEL,
  canaryPodsOf,
  partitionFor,
  partitionOf,
  partitionPatch,
  podLabels,
  replicasOf,
  statefulSelectors,
  statefulSetProblem,
  strandedPods,
} from './partition.js';
import { statefulSetReadiness } from './readiness.js';
import { TargetError, type Target, type TargetObservation, type VersionServices } from './target.js';
import { selectorLabel } from './workload.js';

/**
 * A StatefulSet target (docs/statefulsets.md). It has no primary copy: its
 * pods own storage and stable names, so the user's StatefulSet is both
 * versions at once. Its pods at status.currentRevision are the primary, those
 * at status.updateRevision the canary, and the one field flowshift writes,
 * spec.updateStrategy.rollingUpdate.partition, says how many run the canary:
 * "replicas" in the Target interface are canary pods, 0 the partition at the
 * top. The versions' Services select the pods by controller-revision-hash,
 * rewritten (through `services`) before the pods they select change.
 */
export class StatefulSetTarget implements Target {
  readonly kind = 'StatefulSet';
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly ownWrites: OwnWrites<V1StatefulSet>;

  constructor(
    clients: KubeClients,
    private readonly services: VersionServices,
    private readonly cache?: ClusterCache,
  ) {
    this.apps = clients.apps;
    this.core = clients.core;
    this.ownWrites = new OwnWrites(cache !== undefined);
  }

  async observe(rollout: Rollout): Promise<TargetObservation | undefined> {
    const names = ownedNames(rollout);
    const sts = await this.read(names.namespace, names.target);
    if (!sts) return undefined;
    const problem = statefulSetProblem(sts, names.service);
    if (problem) throw new TargetError(problem);
    const analysis = rollout.spec.analysis;
    const current = sts.status?.currentRevision;
    const stranded = strandedPods(sts);
    return {
      // Until the StatefulSet controller has written its status there is no revision, and no primary to speak of.
      revision: sts.status?.updateRevision ?? current ?? '',
      canary: { ...statefulSetReadiness(sts, analysis?.canaryReadyThreshold ?? DEFAULTS.readyThreshold), replicas: canaryPodsOf(sts), ...(stranded ? { stranded } : {}) },
      primary: current ? { ...statefulSetReadiness(sts, analysis?.primaryReadyThreshold ?? DEFAULTS.readyThreshold, 0), replicas: replicasOf(sts), revision: current } : undefined,
      generation: sts.metadata?.generation ?? 0,
      progress: progressKey(sts),
      label: selectorLabel(this.kind, sts),
      selectors: statefulSelectors(sts),
    };
  }

  /** No copies of configs are made: both versions are the same StatefulSet's pods. */
  foreign(): Promise<string[]> {
    return Promise.resolve([]);
  }

  /** A StatefulSet is its own primary: nothing to create (decide() waits for its status to name a current revision). */
  ensurePrimary(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Promotion: the primary's Service selects every pod of the target, then
   * the partition goes to 0, so the StatefulSet controller rolls the rest as
   * a plain rolling update would, traffic spread over all ready pods.
   */
  async promote(rollout: Rollout): Promise<void> {
    await this.setPartition(rollout, () => 0);
  }

  /** The StatefulSet is the user's already: nothing to let go of. */
  releasePrimary(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Lets `canaryPods` of the pods (the highest ordinals) run the update
   * revision; 0 puts the partition back at the top. The Services select the
   * versions first when pods are added, and after the partition when they go.
   */
  async scaleCanary(rollout: Rollout, canaryPods: number): Promise<void> {
    await this.setPartition(rollout, (sts) => partitionFor(sts, canaryPods));
  }

  /** spec.autoscalerRef is refused for a StatefulSet target by the API server. */
  syncAutoscaler(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Deletes the highest-ordinal pod that runs another revision than the
   * current one, so the StatefulSet controller recreates it, below the top
   * partition, at the current revision. Read fresh, and only when every pod
   * exists, none is going and all are ready: one pod at a time, whatever
   * the podManagementPolicy, and only pods this StatefulSet controls.
   */
  async recreateCanaryPod(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const sts = await this.apps.readNamespacedStatefulSet({ name: names.target, namespace: names.namespace });
    const current = sts.status?.currentRevision;
    if (!current || partitionOf(sts) !== PARTITION_TOP) return;
    const selector = Object.entries(podLabels(sts)).map(([k, v]) => `${k}=${v}`).join(',');
    const listed = await this.core.listNamespacedPod({ namespace: names.namespace, labelSelector: selector });
    const pods = listed.items.filter((p) => controlledBy(p, sts));
    if (pods.length < replicasOf(sts) || !pods.every(settled)) return;
    const stranded = pods.filter((p) => p.metadata?.labels?.[REVISION_HASH_LABEL] !== current).sort((a, b) => ordinal(b) - ordinal(a))[0];
    if (!stranded?.metadata?.name) return;
    try {
      await this.core.deleteNamespacedPod({ name: stranded.metadata.name, namespace: names.namespace, ...(stranded.metadata.uid ? { body: { preconditions: { uid: stranded.metadata.uid } } } : {}) });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** The target's generation and progress as the informer holds them, to notice changes made while a tick ran. */
  cachedProgress(rollout: Rollout): { readonly generation: number; readonly progress: string } {
    const names = ownedNames(rollout);
    const sts = this.cache?.statefulSet(names.namespace, names.target);
    return { generation: sts?.metadata?.generation ?? 0, progress: sts ? progressKey(sts) : '' };
  }

  /**
   * Writes the partition `partitionOf` gives, with the Services that go with
   * it: before the write when canary pods are added (a pod at the new
   * revision is never selected by the primary's Service), after it when they
   * go back (the primary's keep every pod they have meanwhile).
   */
  private async setPartition(rollout: Rollout, wanted: (sts: V1StatefulSet) => number): Promise<void> {
    const names = ownedNames(rollout);
    const sts = await this.read(names.namespace, names.target);
    if (!sts) throw new TargetError(`StatefulSet ${names.namespace}/${names.target} not found`);
    const [before, partition] = [partitionOf(sts), wanted(sts)];
    const selectors = statefulSelectors(sts, partition);
    if (partition < before) await this.services.reselect(rollout, selectors);
    if (partition !== before) {
      this.ownWrites.remember(await this.apps.patchNamespacedStatefulSet({ name: names.target, namespace: names.namespace, body: partitionPatch(partition) }));
    }
    if (partition >= before) await this.services.reselect(rollout, selectors);
  }

  private async read(namespace: string, name: string): Promise<V1StatefulSet | undefined> {
    const cached = this.cache?.statefulSet(namespace, name);
    // Reads its own writes ahead of the informer (own-writes.ts).
    if (cached) return this.ownWrites.newerOf(cached);
    try {
      return await this.apps.readNamespacedStatefulSet({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** What readiness is computed from: equal keys, equal readiness. */
function progressKey(sts: V1StatefulSet): string {
  const st = sts.status;
  return [st?.observedGeneration, st?.replicas, st?.updatedReplicas, st?.currentReplicas, st?.readyReplicas, st?.currentRevision, st?.updateRevision].map((v) => v ?? 0).join('/');
}

function controlledBy(pod: V1Pod, sts: V1StatefulSet): boolean {
  return (pod.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === sts.metadata?.uid);
}

/** Exists, is not going, and is ready. */
function settled(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

function ordinal(pod: V1Pod): number {
  const name = pod.metadata?.labels?.[POD_NAME_LABEL] ?? pod.metadata?.name ?? '';
  const n = Number(name.slice(name.lastIndexOf('-') + 1));
  return Number.isInteger(n) ? n : -1;
}
