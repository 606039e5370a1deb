import type { Rollout, RolloutSpec, RolloutStatus } from '../../src/api/types.gen.js';
import { rollout } from '../support/rollouts.js';

export const REV_OLD = '7c1d0e5a9b3f2468';
export const REV_NEW = '5f2e8a61c0d4b937';

/** The view and rule tests' Rollout as the API returns it: in namespace shop, four canary steps, a check every 30 s. */
export function shopRollout(status: RolloutStatus | undefined, spec: Partial<RolloutSpec> = {}, name = 'podinfo'): Rollout {
  return rollout({
    name,
    namespace: 'shop',
    spec: { strategy: { canary: { stepWeights: [10, 20, 40, 80] } }, analysis: { interval: '30s', threshold: 3 }, ...spec },
    status,
  });
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

/** A manual confirm-promotion gate as docs/webhooks.md describes it (typed loosely: the schema gains `manual` with the gates work). */
export const manualGate = { name: 'approval', type: 'confirm-promotion', manual: true } as unknown as NonNullable<NonNullable<RolloutSpec['analysis']>['webhooks']>[number];
