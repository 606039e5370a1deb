// A StatefulSet target's two versions, read from the StatefulSet itself
// (docs/statefulsets.md): its partition says how many pods may run the update
// revision, its status which revisions there are, and the
// controller-revision-hash label the StatefulSet controller puts on every
// pod tells the versions' pods apart. Pure; statefulset.ts does the I/O.
import type { V1StatefulSet } from '@kubernetes/client-node';
import type { VersionSelectors } from '../api/names.js';

/** The partition at rest: the largest int32, so a template change updates no pod, whatever the replica count becomes. */
export const PARTITION_TOP = 2_147_483_647;

/** The label the StatefulSet controller sets on each pod: the name of the ControllerRevision it runs. */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

/** The label the StatefulSet controller sets on each pod: its own name, `<statefulset>-<ordinal>`. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';

export function replicasOf(sts: V1StatefulSet): number {
  return sts.spec?.replicas ?? 1;
}

/** spec.updateStrategy.rollingUpdate.partition as the API server defaults it (0). */
export function partitionOf(sts: V1StatefulSet): number {
  return sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
}

/** The pods the partition lets run the update revision: the canary's (0 with the partition at the top). */
export function canaryPodsOf(sts: V1StatefulSet): number {
  return Math.max(0, replicasOf(sts) - partitionOf(sts));
}

/** The partition that lets `canaryPods` of the pods, the highest ordinals, run the update revision; 0 canary pods: the top. */
export function partitionFor(sts: V1StatefulSet, canaryPods: number): number {
  return canaryPods <= 0 ? PARTITION_TOP : Math.max(0, replicasOf(sts) - canaryPods);
}

/** The merge patch that writes the partition, the one field of the user's StatefulSet flowshift writes. */
export function partitionPatch(partition: number): object {
  return { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } } };
}

/** The labels every pod of the StatefulSet carries (spec.selector.matchLabels). */
export function podLabels(sts: V1StatefulSet): Readonly<Record<string, string>> {
  return sts.spec?.selector.matchLabels ?? {};
}

/**
 * What the versions' Services select for a partition: the canary, the
 * target's pods at the update revision; the primary, those at the current
 * revision, or every pod once the partition is 0 (a promotion rolls the
 * rest, and traffic spreads over all ready pods meanwhile).
 */
export function statefulSelectors(sts: V1StatefulSet, partition: number = partitionOf(sts)): VersionSelectors {
  const pods = podLabels(sts);
  const current = sts.status?.currentRevision ?? '';
  const update = sts.status?.updateRevision ?? current;
  const promoting = partition === 0 && current !== update;
  return {
    primary: promoting ? { ...pods } : { ...pods, [REVISION_HASH_LABEL]: current },
    canary: { ...pods, [REVISION_HASH_LABEL]: update },
  };
}

/**
 * With the partition at the top, the pods that run another revision than
 * the current one (a rollback leaves them, since a StatefulSet never rolls a
 * pod back by itself), and whether every pod is ready to lose one more.
 * Undefined while the partition lets canary pods run.
 */
export function strandedPods(sts: V1StatefulSet): { pods: number; allReady: boolean } | undefined {
  if (canaryPodsOf(sts) > 0) return undefined;
  const counts = statusCounts(sts);
  const replicas = replicasOf(sts);
  const pods = Math.max(0, counts.replicas - counts.current);
  return { pods, allReady: counts.observed && counts.replicas === replicas && counts.ready >= replicas };
}

/** The StatefulSet controller's counts, absent ones 0; `observed` when it has seen the current generation. */
export function statusCounts(sts: V1StatefulSet): { observed: boolean; replicas: number; current: number; updated: number; ready: number } {
  const status = sts.status;
  return {
    observed: (status?.observedGeneration ?? 0) >= (sts.metadata?.generation ?? 0),
    replicas: status?.replicas ?? 0,
    current: status?.currentReplicas ?? 0,
    updated: status?.updatedReplicas ?? 0,
    // Available: ready for minReadySeconds; older API servers write readyReplicas only.
    ready: status?.availableReplicas ?? status?.readyReplicas ?? 0,
  };
}

/**
 * Why this StatefulSet cannot be released gradually, naming the field and
 * the fix; undefined when it can. Pure: the controller (observe) and
 * `kubectl flowshift lint` ask the same question.
 */
export function statefulSetProblem(sts: V1StatefulSet, serviceName: string): string | undefined {
  const name = `StatefulSet ${sts.metadata?.namespace ?? ''}/${sts.metadata?.name ?? ''}`;
  if (sts.spec?.updateStrategy?.type === 'OnDelete') {
    return `${name}: spec.updateStrategy.type is OnDelete, so no pod moves to a new revision unless deleted; flowshift releases it through spec.updateStrategy.rollingUpdate.partition: set spec.updateStrategy.type to RollingUpdate`;
  }
  if (replicasOf(sts) < 2) {
    return `${name}: spec.replicas is ${replicasOf(sts)}; a gradual release runs the canary and the primary on pods of their own, so it needs at least 2: scale it to 2 or more, or release it without a Rollout`;
  }
  if (sts.spec?.serviceName && sts.spec.serviceName === serviceName) {
    return `${name}: spec.serviceName ${serviceName} is its governing Service, which stays yours; flowshift generates the Service the Rollout routes through: set the Rollout's spec.service.name to another name`;
  }
  return undefined;
}
