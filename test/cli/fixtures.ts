import type { Rollout, RolloutSpec, RolloutStatus } from '../../src/api/types.gen.js';

export const REV_OLD = '7c1d0e5a9b3f2468';
export const REV_NEW = '5f2e8a61c0d4b937';

/** A Rollout as the API returns it, for the pure view and rule tests. */
export function rollout(status: RolloutStatus | undefined, spec: Partial<RolloutSpec> = {}, name = 'podinfo'): Rollout {
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name, namespace: 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [10, 20, 40, 80] } },
      analysis: { interval: '30s', threshold: 3 },
      ...spec,
    },
    ...(status ? { status } : {}),
  };
}

export const progressing: RolloutStatus = {
  phase: 'Progressing',
  strategy: 'canary',
  canaryWeight: 20,
  mirrorWeight: 0,
  failedChecks: 1,
  iterations: 0,
  lastAppliedSpec: REV_NEW,
  lastPromotedSpec: REV_OLD,
  lastTransitionTime: '2026-11-22T09:55:00Z',
  message: 'advanced canary weight to 20%',
};

/** A manual confirm-promotion gate as CONTROL-CONTRACT.md defines it (typed loosely: the schema gains `manual` with the gates work). */
export const manualGate = { name: 'approval', type: 'confirm-promotion', manual: true } as unknown as NonNullable<NonNullable<RolloutSpec['analysis']>['webhooks']>[number];
