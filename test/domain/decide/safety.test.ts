import { describe, expect, it } from 'vitest';
import { decide, decideApplyFailure } from '../../../src/domain/decide/decide.js';
import { DEPENDENCY_ERROR } from '../../../src/domain/status.js';
import { NOW, REV_A, idle, input, releasing, spec } from '../fixtures.js';

const primaryOnly = { type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } };

describe('decide: the safe state first', () => {
  it('routes a release in progress to the primary before reporting an invalid spec', () => {
    const d = decide(input(releasing(40), {}, { problems: ['spec.analysis.metrics[0].query: 1:5: syntax error'] }));
    expect(d.safeRoutes).toEqual([primaryOnly]);
    expect(d.actions).toEqual([]);
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, mirrorWeight: 0 });
    expect(d.status.message).toBe('invalid: spec.analysis.metrics[0].query: 1:5: syntax error; live traffic routed to the primary');
    expect(d.status.conditions?.find((c) => c.type === 'Invalid')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'InvalidSpec', message: d.status.message }]);
  });

  it('removes the mirror when the target is gone mid-release', () => {
    const status = releasing(0, { mirrorWeight: 50 });
    const d = decide(input(status, { canary: { ready: false, message: 'gone', replicas: 0 } }, { problems: ['spec.targetRef.name: target Deployment apps/podinfo not found'] }));
    expect(d.safeRoutes).toEqual([primaryOnly]);
    expect(d.status.mirrorWeight).toBe(0);
  });

  it('blocks on an object it does not own, creating and scaling nothing', () => {
    const foreign = 'Deployment apps/podinfo-primary already exists and is not managed by this Rollout';
    const d = decide(input({}, { primary: undefined, routes: undefined, foreign: [foreign] }));
    expect(d.safeRoutes).toEqual([]);
    expect(d.actions).toEqual([]);
    expect(d.status.message).toBe(`invalid: ${foreign}`);
  });

  it('records the InvalidSpec Event once, not on every tick', () => {
    const first = decide(input(idle, { revision: REV_A }, { problems: ['x: broken (fix it)'] }));
    const again = decide(input(first.status, { revision: REV_A }, { problems: ['x: broken (fix it)'] }));
    expect(again.events).toEqual([]);
    expect(again.status.conditions?.find((c) => c.type === 'Invalid')?.lastTransitionTime).toBe(first.status.conditions?.find((c) => c.type === 'Invalid')?.lastTransitionTime);
  });

  it('routes to the primary even while suspended', () => {
    const d = decide(input(releasing(20), {}, { spec: spec({ suspend: true }), problems: ['spec.x: bad'] }));
    expect(d.safeRoutes).toEqual([primaryOnly]);
  });

  it('resumes from weight 0 once the problem is fixed', () => {
    const blocked = decide(input(releasing(40), {}, { problems: ['spec.x: bad'] }));
    const fixed = decide(input(blocked.status, {}));
    expect(fixed.status).toMatchObject({ phase: 'Progressing', canaryWeight: 10 });
    expect(fixed.status.conditions?.some((c) => c.type === 'Invalid')).toBe(false);
  });

  it('lets a deletion go without reverting when the spec cannot be acted on', () => {
    const d = decide(input(releasing(20), {}, { spec: spec({ revertOnDeletion: true }), deleting: true, problems: ['spec.x: bad'] }));
    expect(d.actions).toEqual([{ type: 'removeFinalizer' }]);
  });
});

describe('decide: a dependency that keeps failing', () => {
  const since = (secondsAgo: number): string => new Date(NOW.getTime() - secondsAgo * 1000).toISOString();
  const failing = (secondsAgo: number) => ({ type: DEPENDENCY_ERROR, status: 'True' as const, reason: 'ApplyFailed', message: 'm', lastTransitionTime: since(secondsAgo) });

  it('retries and records since when, without moving traffic, inside the progress deadline', () => {
    const d = decideApplyFailure(input(releasing(20)), 'admission webhook denied the request');
    expect(d.status.phase).toBe('Progressing');
    expect(d.status.message).toBe('could not apply the decision, retrying: admission webhook denied the request');
    expect(d.status.conditions?.find((c) => c.type === DEPENDENCY_ERROR)?.lastTransitionTime).toBe(NOW.toISOString());
    expect(d.events.map((e) => e.reason)).toEqual(['ApplyFailed']);
    expect(d.safeRoutes ?? []).toEqual([]);
  });

  it('keeps the time of the first failure across ticks', () => {
    const d = decideApplyFailure(input(releasing(20, { conditions: [failing(30)] })), 'still failing');
    expect(d.status.conditions?.find((c) => c.type === DEPENDENCY_ERROR)?.lastTransitionTime).toBe(since(30));
  });

  it('rolls back, routes first, once it has failed for longer than the progress deadline', () => {
    const d = decideApplyFailure(input(releasing(20, { conditions: [failing(61)] })), 'still failing');
    expect(d.status.phase).toBe('Failed');
    expect(d.status.message).toContain('could not apply a decision for more than 60s (still failing)');
    expect(d.safeRoutes).toEqual([primaryOnly]);
    expect(d.status.conditions?.some((c) => c.type === DEPENDENCY_ERROR)).toBe(false);
  });

  it('never rolls back an idle Rollout', () => {
    const d = decideApplyFailure(input(idle, { revision: REV_A }), 'x');
    expect(d.status.phase).toBe('Initialized');
  });
});
