import type { V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import type { Readiness } from '../domain/model.js';
import { isParked } from './parking.js';
import { canaryPodsOf, replicasOf, statusCounts } from './partition.js';

/**
 * Whether a Deployment has rolled out its current generation with at least
 * `thresholdPercent` of its replicas available, and if not, why not.
 *
 * `autoscaledFloor`: an autoscaler owns its replicas and keeps at least this
 * many. Then readiness is judged on that floor, not on the count of the
 * moment: when the autoscaler adds pods mid-analysis, the pods already
 * serving still serve, and a canary that waited for the new ones would stop
 * its analysis, and past the progress deadline be rolled back, for a
 * scale-up (the failure Flagger's users report with an HPA). Pods of
 * another template still block readiness, and so does a Deployment whose
 * progress deadline passed.
 */
export function deploymentReadiness(d: V1Deployment, thresholdPercent = 100, autoscaledFloor?: number): Readiness {
  const generation = d.metadata?.generation ?? 0;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return notReady('the new generation is not observed yet');
  const stalled = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { ready: false, stalled: true, message: `its Deployment exceeded its progress deadline (${stalled.message ?? ''})` };
  if (autoscaledFloor !== undefined) return autoscaledReadiness(d, autoscaledFloor, thresholdPercent);
  return replicaReadiness(d.spec?.replicas ?? 1, status.updatedReplicas ?? 0, status.availableReplicas ?? 0, thresholdPercent);
}

/**
 * Whether a DaemonSet has rolled out its current generation onto the nodes
 * it should run on, with at least `thresholdPercent` of them serving an
 * available pod. A DaemonSet has no progress deadline of its own: the
 * Rollout's progressDeadlineSeconds is what gives up on it. A parked one
 * (docs/daemonsets.md) is ready as a Deployment scaled to zero is: it runs
 * what it should, nothing; one that is not parked yet scheduled on no node
 * is not, since a canary that runs nowhere cannot be analysed.
 */
export function daemonSetReadiness(ds: V1DaemonSet, thresholdPercent = 100): Readiness {
  const nodes = nodeCounts(ds);
  if (nodes.observed < (ds.metadata?.generation ?? 0)) return notReady('the new generation is not observed yet');
  if (nodes.desired === 0) return isParked(ds.spec?.template) ? { ready: true, message: '' } : notReady('scheduled on no node (check its nodeSelector, affinity and tolerations)');
  if (nodes.updated < nodes.desired) return notReady(`${nodes.updated} of ${nodes.desired} nodes updated`);
  const needed = Math.ceil((nodes.desired * thresholdPercent) / 100);
  if (nodes.available < needed) return notReady(`${nodes.available} of ${nodes.desired} nodes available (${thresholdPercent}% needed)`);
  return { ready: true, message: '' };
}

/**
 * Whether a StatefulSet target runs what its partition asks: the canary's
 * pods (`canary`, the pods the partition lets update) at the update
 * revision, and at least `thresholdPercent` of all its pods ready. Its status
 * counts ready pods of both revisions together, and with OrderedReady (the
 * default) the StatefulSet controller itself stops at the first pod that is
 * not ready, so readiness is the whole set's (docs/statefulsets.md).
 */
export function statefulSetReadiness(sts: V1StatefulSet, thresholdPercent = 100, canary = canaryPodsOf(sts)): Readiness {
  const counts = statusCounts(sts);
  if (!counts.observed) return notReady('the new generation is not observed yet');
  if (counts.updated < canary) return notReady(`${counts.updated} of ${canary} canary pods at the update revision`);
  const replicas = replicasOf(sts);
  const needed = Math.ceil((replicas * thresholdPercent) / 100);
  if (counts.ready < needed) return notReady(`${counts.ready} of ${replicas} pods ready (${thresholdPercent}% needed)`);
  return { ready: true, message: '' };
}

/** A DaemonSet's status in nodes; available pods are ready for minReadySeconds, and numberUnavailable counts the nodes that should run one and do not. */
function nodeCounts(ds: V1DaemonSet): { observed: number; desired: number; updated: number; available: number } {
  const status = ds.status;
  const desired = status?.desiredNumberScheduled ?? 0;
  return {
    observed: status?.observedGeneration ?? 0,
    desired,
    updated: status?.updatedNumberScheduled ?? 0,
    available: Math.min(status?.numberAvailable ?? 0, desired - (status?.numberUnavailable ?? 0)),
  };
}

/** Every pod of the current template (none of another), and the floor's share of them available. */
function autoscaledReadiness(d: V1Deployment, floor: number, thresholdPercent: number): Readiness {
  const status = d.status ?? {};
  const updated = status.updatedReplicas ?? 0;
  if ((status.replicas ?? 0) > updated) return notReady(`${updated} of ${status.replicas ?? 0} replicas updated`);
  return replicaReadiness(Math.min(d.spec?.replicas ?? 1, Math.max(floor, 1)), updated, status.availableReplicas ?? 0, thresholdPercent);
}

function replicaReadiness(replicas: number, updated: number, available: number, thresholdPercent: number): Readiness {
  if (updated < replicas) return notReady(`${updated} of ${replicas} replicas updated`);
  const needed = Math.ceil((replicas * thresholdPercent) / 100);
  if (available < needed) return notReady(`${available} of ${replicas} replicas available (${thresholdPercent}% needed)`);
  return { ready: true, message: '' };
}

function notReady(message: string): Readiness {
  return { ready: false, message };
}
