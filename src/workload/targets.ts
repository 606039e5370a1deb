import type { Rollout, TargetKind } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import type { KubeClients } from '../kube/client.js';
import { DaemonSetTarget } from './daemonset.js';
import { DeploymentTarget } from './deployment.js';
import type { Target, TargetObservation } from './target.js';
import type { Workload } from './workload.js';
import type { WorkloadTarget } from './workload-target.js';

/**
 * The one place that dispatches on spec.targetRef.kind: the controller holds
 * this Target and stays kind-agnostic. A new kind is a WorkloadTarget and a
 * line here (the compiler checks every TargetKind has one).
 */
export class Targets implements Target {
  private readonly byKind: Readonly<Record<TargetKind, WorkloadTarget<Workload>>>;

  constructor(clients: KubeClients, cache?: ClusterCache) {
    this.byKind = { Deployment: new DeploymentTarget(clients, cache), DaemonSet: new DaemonSetTarget(clients, cache) };
  }

  observe(rollout: Rollout): Promise<TargetObservation | undefined> {
    return this.of(rollout).observe(rollout);
  }

  foreign(rollout: Rollout): Promise<string[]> {
    return this.of(rollout).foreign(rollout);
  }

  ensurePrimary(rollout: Rollout, revision: string, replicas: number): Promise<void> {
    return this.of(rollout).ensurePrimary(rollout, revision, replicas);
  }

  promote(rollout: Rollout, revision: string): Promise<void> {
    return this.of(rollout).promote(rollout, revision);
  }

  releasePrimary(rollout: Rollout): Promise<void> {
    return this.of(rollout).releasePrimary(rollout);
  }

  scaleCanary(rollout: Rollout, replicas: number): Promise<void> {
    return this.of(rollout).scaleCanary(rollout, replicas);
  }

  syncAutoscaler(rollout: Rollout): Promise<void> {
    return this.of(rollout).syncAutoscaler(rollout);
  }

  /** The target's generation and progress as the informers hold them, to notice changes made while a tick ran. */
  cachedProgress(rollout: Rollout): { readonly generation: number; readonly progress: string } {
    return this.of(rollout).cachedProgress(rollout);
  }

  private of(rollout: Rollout): WorkloadTarget<Workload> {
    return this.byKind[rollout.spec.targetRef.kind];
  }
}
