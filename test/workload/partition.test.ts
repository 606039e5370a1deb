import { describe, expect, it } from 'vitest';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { PARTITION_TOP, canaryPodsOf, partitionFor, statefulSelectors, statefulSetProblem, strandedPods } from '../../src/workload/partition.js';
import { statefulSetReadiness } from '../../src/workload/readiness.js';

function sts(partition: number | undefined, status: Partial<NonNullable<V1StatefulSet['status']>> = {}, extra: Partial<NonNullable<V1StatefulSet['spec']>> = {}): V1StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'shop', generation: 3 },
    spec: {
      replicas: 4,
      serviceName: 'web-headless',
      selector: { matchLabels: { app: 'web' } },
      template: {},
      ...(partition === undefined ? {} : { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition } } }),
      ...extra,
    },
    status: { observedGeneration: 3, replicas: 4, readyReplicas: 4, currentReplicas: 4, updatedReplicas: 0, currentRevision: 'web-a', updateRevision: 'web-b', ...status },
  };
}

describe('a StatefulSet target\'s partition', () => {
  it('counts as canary the pods at or above the partition: none at the top, all at 0 (the API server\'s default)', () => {
    expect(canaryPodsOf(sts(PARTITION_TOP))).toBe(0);
    expect(canaryPodsOf(sts(3))).toBe(1);
    expect(canaryPodsOf(sts(undefined))).toBe(4);
    expect([0, 1, 3, 4].map((n) => partitionFor(sts(PARTITION_TOP), n))).toEqual([PARTITION_TOP, 3, 1, 0]);
  });

  it('points the primary Service at the current revision and the canary Service at the update revision, the primary at every pod once promoting', () => {
    expect(statefulSelectors(sts(2))).toEqual({ primary: { app: 'web', 'controller-revision-hash': 'web-a' }, canary: { app: 'web', 'controller-revision-hash': 'web-b' } });
    expect(statefulSelectors(sts(2), 0).primary).toEqual({ app: 'web' });
    // Promoted: both revisions are the same, and the Services select it again.
    expect(statefulSelectors(sts(0, { currentRevision: 'web-b' })).primary).toEqual({ app: 'web', 'controller-revision-hash': 'web-b' });
  });

  it('counts the pods a rollback left at another revision once the partition is at the top, and whether all are ready', () => {
    expect(strandedPods(sts(2))).toBeUndefined();
    expect(strandedPods(sts(PARTITION_TOP, { currentReplicas: 2 }))).toEqual({ pods: 2, allReady: true });
    expect(strandedPods(sts(PARTITION_TOP, { currentReplicas: 3, readyReplicas: 3 }))).toEqual({ pods: 1, allReady: false });
  });

  it('is ready once the canary pods run the update revision and enough pods are ready', () => {
    expect(statefulSetReadiness(sts(2, { updatedReplicas: 1 }))).toEqual({ ready: false, message: '1 of 2 canary pods at the update revision' });
    expect(statefulSetReadiness(sts(2, { updatedReplicas: 2, readyReplicas: 3 }))).toEqual({ ready: false, message: '3 of 4 pods ready (100% needed)' });
    expect(statefulSetReadiness(sts(2, { updatedReplicas: 2, readyReplicas: 3 }), 75).ready).toBe(true);
    expect(statefulSetReadiness(sts(2, { updatedReplicas: 2, observedGeneration: 2 })).message).toBe('the new generation is not observed yet');
  });
});

describe('StatefulSets flowshift refuses, by field', () => {
  it('refuses OnDelete, fewer than 2 replicas, and a Rollout service named like the governing Service', () => {
    expect(statefulSetProblem(sts(undefined, {}, { updateStrategy: { type: 'OnDelete' } }), 'web')).toMatch(/spec\.updateStrategy\.type is OnDelete.*set spec\.updateStrategy\.type to RollingUpdate/);
    expect(statefulSetProblem(sts(undefined, {}, { replicas: 1 }), 'web')).toMatch(/spec\.replicas is 1.*at least 2/);
    expect(statefulSetProblem(sts(undefined), 'web-headless')).toMatch(/spec\.serviceName web-headless is its governing Service.*set the Rollout's spec\.service\.name/);
    expect(statefulSetProblem(sts(undefined), 'web')).toBeUndefined();
  });
});
