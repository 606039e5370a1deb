// The one way a test writes a Rollout. A test states what its behaviour
// depends on and gets the plainest valid Rollout for the rest, so a reader
// sees at the call what the case is about.
import type { ObjectMeta, Rollout, RolloutSpec, RolloutStatus } from '../../src/api/types.gen.js';

export interface RolloutParts {
  /** metadata.name, and the target Deployment's name unless `target` is given. Default: podinfo. */
  readonly name?: string;
  /** Absent: none, as in a body created through a namespaced call. */
  readonly namespace?: string;
  /** The Deployment released, when it is not the Rollout's namesake. */
  readonly target?: string;
  /** Replaces the default fields it names, whole: an `analysis` here is the entire analysis. */
  readonly spec?: Partial<RolloutSpec>;
  readonly status?: RolloutStatus | undefined;
  /** What the API server adds (uid, resourceVersion, generation, creationTimestamp). */
  readonly metadata?: Omit<ObjectMeta, 'name' | 'namespace'>;
}

/** Deployment `name` behind port 9898, released in canary steps of 10%, without analysis. */
export function rollout(parts: RolloutParts = {}): Rollout {
  const name = parts.name ?? 'podinfo';
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, ...(parts.namespace === undefined ? {} : { namespace: parts.namespace }), ...parts.metadata },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: parts.target ?? name },
      service: { port: 9898 },
      strategy: { canary: { stepWeight: 10 } },
      ...parts.spec,
    },
    ...(parts.status ? { status: parts.status } : {}),
  };
}

/**
 * A Rollout the test controller takes through a release in seconds: a check
 * every second, canary 20/40/60, and a 30 s progress deadline so a stuck
 * release fails within the test's wait.
 */
export function quickRollout(name: string, spec: Partial<RolloutSpec> = {}): Rollout {
  return rollout({
    name,
    spec: { strategy: { canary: { stepWeight: 20, maxWeight: 60 } }, analysis: { interval: '1s', threshold: 2 }, progressDeadlineSeconds: 30, ...spec },
  });
}
