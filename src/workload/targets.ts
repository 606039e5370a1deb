import type { Rollout, TargetKind } from '../api/types.gen.js';
import type { ClusterCache } from '../kube/cache.js';
import type { KubeClients } from '../kube/client.js';
import { DaemonSetTarget } from './daemonset.js';
import { DeploymentTarget } from './deployment.js';
import { StatefulSetTarget } from './statefulset.js';
import type { Target, TargetObservation, VersionServices } from './target.js';

/** A Target of one kind, as the dispatcher holds it. */
type KindTarget = Target & { cachedProgress(rollout: Rollout): { readonly generation: number; readonly progress: string } };

/**
 * The one place that dispatches on spec.targetRef.kind: the controller holds
 * this Target and stays kind-agnostic. A new kind is a Target (a
 * WorkloadTarget for a kind cloned into `<target>-primary`) and a line here
 * (the compiler checks every TargetKind has one). `services` points the
 * versions' Services at a StatefulSet's revisions.
 */
export class Targets implements Target {
  private readonly byKind: Readonly<Record<TargetKind, KindTarget>>;

  constructor(clients: KubeClients, services: VersionServices, cache?: ClusterCache) {
    this.byKind = {
      Deployment: new DeploymentTarget(clients, cache),
      DaemonSet: new DaemonSetTarget(clients, cache),
      StatefulSet: new StatefulSetTarget(clients, services, cache),
    };
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

  recreateCanaryPod(rollout: Rollout): Promise<void> {
    return this.of(rollout).recreateCanaryPod(rollout);
  }

  /** The target's generation and progress as the informers hold them, to notice changes made while a tick ran. */
  cachedProgress(rollout: Rollout): { readonly generation: number; readonly progress: string } {
    return this.of(rollout).cachedProgress(rollout);
  }

  private of(rollout: Rollout): KindTarget {
    return this.byKind[rollout.spec.targetRef.kind];
  }
}
