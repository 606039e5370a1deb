import type { V1Deployment } from '@kubernetes/client-node';
import type { Readiness } from '../domain/model.js';

/**
 * Whether a Deployment has rolled out its current generation with at least
 * `thresholdPercent` of its replicas available, and if not, why not.
 */
export function deploymentReadiness(d: V1Deployment, thresholdPercent = 100): Readiness {
  const generation = d.metadata?.generation ?? 0;
  const status = d.status ?? {};
  if ((status.observedGeneration ?? 0) < generation) return notReady('the new generation is not observed yet');
  const stalled = status.conditions?.find((c) => c.type === 'Progressing' && c.reason === 'ProgressDeadlineExceeded');
  if (stalled) return { ready: false, stalled: true, message: `its Deployment exceeded its progress deadline (${stalled.message ?? ''})` };
  return replicaReadiness(d.spec?.replicas ?? 1, status.updatedReplicas ?? 0, status.availableReplicas ?? 0, thresholdPercent);
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
