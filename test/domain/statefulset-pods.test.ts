import { describe, expect, it } from 'vitest';
import { decide } from '../../src/domain/decide/decide.js';
import { canaryPodsFor } from '../../src/domain/statefulset-pods.js';
import { shortRevision } from '../../src/domain/status.js';
import type { Observations, TickInput } from '../../src/domain/model.js';
import type { RolloutStatus } from '../../src/api/types.gen.js';
import { NOW, REV_A, REV_B, fail, idle, input, pass, releasing, spec } from './fixtures.js';

const statefulSpec = spec({ targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' } });

/** A StatefulSet of 4 pods: `canaryPods` of them may run revision B. */
function stateful(status: RolloutStatus, canaryPods: number, obs: Partial<Observations> = {}, rest: Partial<TickInput> = {}): TickInput {
  return input(
    status,
    { canary: { ready: true, message: '', replicas: canaryPods }, primary: { ready: true, message: '', replicas: 4, revision: REV_A }, ...obs },
    { spec: statefulSpec, ...rest },
  );
}

describe('canary pods of a StatefulSet follow the weight', () => {
  it('gives a weight its share of the pods rounded up, at least one, and always leaves the primary one', () => {
    expect([0, 10, 25, 26, 50, 75, 90, 100].map((w) => canaryPodsFor(4, w))).toEqual([1, 1, 1, 2, 2, 3, 3, 3]);
    expect(canaryPodsFor(2, 90)).toBe(1);
  });

  it('starts a release with one canary pod and the routes on the primary', () => {
    const decision = decide(stateful(idle, 0));
    expect(decision.status.phase).toBe('Progressing');
    expect(decision.actions).toEqual([{ type: 'scaleCanary', replicas: 1 }]);
  });

  it('lowers the partition before a weight that needs more pods, holding the routes until they are ready', () => {
    const before = releasing(20);
    const decision = decide(stateful(before, 1, {}, { verdict: pass }));
    expect(decision.status.canaryWeight).toBe(20);
    expect(decision.actions).toEqual([{ type: 'scaleCanary', replicas: 2 }]);
    expect(decision.safeRoutes ?? []).toEqual([]);
    expect(decision.events.map((e) => e.reason)).toEqual(['CanaryPodsAdded']);
    // The check runs again once the pods are ready, and the progress deadline counts from now.
    expect(decision.status.lastAnalysisTime).toBe(before.lastAnalysisTime);
    expect(decision.status.lastTransitionTime).toBe(NOW.toISOString());
  });

  it('waits for the new canary pods without checking, then routes the weight once they are ready', () => {
    const waiting = stateful(releasing(20), 2, { canary: { ready: false, message: '1 of 2 canary pods at the update revision', replicas: 2 } });
    const held = decide(waiting);
    expect(held.asks).toBeUndefined();
    expect(held.status.canaryWeight).toBe(20);
    expect(held.actions).toEqual([]);
    const stepped = decide(stateful(releasing(20), 2, {}, { verdict: pass }));
    expect(stepped.status.canaryWeight).toBe(30);
    expect(stepped.actions).toEqual([{ type: 'setRoutes', routes: { primary: 70, canary: 30, mirror: 0 } }]);
    // The check that ran judged weight 20, routed all along; weight 30 gets a whole interval before its own.
    expect(stepped.status.analysis?.map((a) => [a.name, a.weight])).toEqual([['request-success-rate', 20]]);
    expect(stepped.status.lastAnalysisTime).toBe(NOW.toISOString());
  });

  it('steps a Deployment at once: its canary runs all its replicas from the start', () => {
    const decision = decide(input(releasing(20), {}, { verdict: pass }));
    expect(decision.status.canaryWeight).toBe(30);
    expect(decision.actions.map((a) => a.type)).toEqual(['setRoutes']);
  });

  it('rolls back with the routes on the primary first, then the partition back at the top', () => {
    const decision = decide(stateful(releasing(30, { failedChecks: 2 }), 2, {}, { verdict: fail }));
    expect(decision.status.phase).toBe('Failed');
    expect(decision.safeRoutes).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
    expect(decision.actions).toEqual([{ type: 'scaleCanary', replicas: 0 }]);
  });
});

describe('pods a rollback leaves at the update revision', () => {
  const failed: RolloutStatus = { ...idle, phase: 'Failed', lastAppliedSpec: REV_B };

  it('are recreated one per tick once the partition is at the top and every pod is ready, each with an Event', () => {
    const decision = decide(stateful(failed, 0, { canary: { ready: true, message: '', replicas: 0, stranded: { pods: 2, allReady: true } } }));
    expect(decision.actions).toEqual([{ type: 'recreateCanaryPod' }]);
    expect(decision.events.find((e) => e.reason === 'RecreatingPod')?.message).toContain('2 pod(s) still run another revision');
  });

  it('wait while a pod is not ready, and for the partition to reach the top first', () => {
    const unready = decide(stateful(failed, 0, { canary: { ready: true, message: '', replicas: 0, stranded: { pods: 1, allReady: false } } }));
    expect(unready.actions).toEqual([]);
    const lowered = decide(stateful(failed, 2));
    expect(lowered.actions).toEqual([{ type: 'scaleCanary', replicas: 0 }]);
  });

  it('are left alone during a release', () => {
    const decision = decide(stateful(releasing(10), 1, { canary: { ready: true, message: '', replicas: 1, stranded: { pods: 1, allReady: true } } }));
    expect(decision.actions.some((a) => a.type === 'recreateCanaryPod')).toBe(false);
  });
});

describe('revisions in messages', () => {
  it('shows a StatefulSet\'s ControllerRevision name whole, as its pods are labelled, and cuts flowshift\'s own hash', () => {
    expect(shortRevision('web-6d8f7b9c5a')).toBe('web-6d8f7b9c5a');
    expect(shortRevision(REV_A)).toBe('aaaaaaaaaa');
  });
});

describe('deletion with revertOnDeletion', () => {
  it('hands the StatefulSet back with its partition at 0', () => {
    const decision = decide(stateful(idle, 0, {}, { deleting: true, spec: { ...statefulSpec, revertOnDeletion: true }, hasFinalizer: true }));
    expect(decision.status.phase).toBe('Terminating');
    expect(decision.actions).toEqual([{ type: 'scaleCanary', replicas: 4 }]);
  });
});
