import type { V1Deployment } from '@kubernetes/client-node';
import type { Readiness } from '../domain/model.js';

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
