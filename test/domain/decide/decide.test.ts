import { describe, expect, it } from 'vitest';
import { ROUTE_SETTLE_MS } from '../../../src/domain/timing.js';
import { decide } from '../../../src/domain/decide/decide.js';
import { QUIET_WAIT_SECONDS } from '../../../src/domain/status.js';
import type { Action } from '../../../src/domain/model.js';
import { NOW, REV_A, REV_B, REV_C, asksForAnalysis, fail, idle, input, pass, releasing, spec } from '../fixtures.js';

const types = (actions: readonly Action[]): string[] => actions.map((a) => a.type);
const setRoutes = (actions: readonly Action[]): Action | undefined => actions.find((a) => a.type === 'setRoutes');

describe('decide: initialization', () => {
  it('creates only the primary and waits while it is not ready: no Service or route points at it yet', () => {
    const d = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A }));
    expect(d.status.phase).toBe('Initializing');
    expect(d.actions).toEqual([{ type: 'ensurePrimary', replicas: 2 }]);
    expect(d.status.message).toContain('podinfo-primary');
    expect(d.status.conditions?.[0]).toMatchObject({ type: 'Promoted', status: 'Unknown' });
  });

  it('keeps "being created" while the new primary only rolls out within QUIET_WAIT_SECONDS', () => {
    const creating = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A })).status;
    const rolling = { ready: false, replicas: 2, message: '0 of 2 replicas available (100% needed)', revision: REV_A };
    const soon = decide(input(creating, { now: new Date(NOW.getTime() + 1_000), primary: rolling, routes: undefined, revision: REV_A }));
    expect(soon.status).toEqual(creating);
  });

  it('waits while the primary runs another revision than the target', () => {
    const d = decide(input({ phase: 'Initializing' }, { revision: REV_B, primary: { ready: true, replicas: 2, message: '', revision: REV_A } }));
    expect(d.status.phase).toBe('Initializing');
  });

  it('creates services and routes once the primary is ready, and stays Initializing until they exist', () => {
    const d = decide(input({ phase: 'Initializing' }, { revision: REV_A, routes: undefined }));
    expect(d.status.phase).toBe('Initializing');
    expect(d.actions).toEqual([{ type: 'ensureObjects', routes: { primary: 100, canary: 0, mirror: 0 } }]);
  });

  it('becomes Initialized and scales the target to zero once the primary is ready', () => {
    const d = decide(input({ phase: 'Initializing' }, { revision: REV_A }));
    expect(d.status).toMatchObject({ phase: 'Initialized', lastAppliedSpec: REV_A, lastPromotedSpec: REV_A, canaryWeight: 0 });
    expect(types(d.actions)).toEqual(['ensureObjects', 'scaleCanary']);
    expect(d.actions[0]).toEqual({ type: 'ensureObjects', routes: { primary: 100, canary: 0, mirror: 0 } });
    expect(d.status.conditions?.[0]).toMatchObject({ type: 'Promoted', status: 'True', reason: 'Initialized' });
    expect(d.events.map((e) => e.reason)).toEqual(['Initialized']);
  });
});

describe('decide: idle phases', () => {
  it.each(['Initialized', 'Succeeded', 'Failed'] as const)('%s with an unchanged revision keeps routes at the primary and does nothing', (phase) => {
    const d = decide(input({ ...idle, phase }, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 } }));
    expect(d.actions).toEqual([]);
    expect(d.status.phase).toBe(phase);
  });

  it('starts a release on a new revision: canary scaled up, counters reset', () => {
    const d = decide(input({ ...idle, failedChecks: 4 }, { canary: { ready: false, message: '', replicas: 0 } }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0, iterations: 0, lastAppliedSpec: REV_B });
    expect(d.actions).toEqual([{ type: 'scaleCanary', replicas: 2 }]);
    expect(d.events[0]?.reason).toBe('NewRevision');
  });

  it('does not release a revision that is already the promoted one', () => {
    const d = decide(input({ ...idle, phase: 'Failed', lastAppliedSpec: REV_B }, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 } }));
    expect(d.status.phase).toBe('Failed');
    expect(d.status.lastAppliedSpec).toBe(REV_A);
    expect(types(d.actions)).not.toContain('scaleCanary');
  });

  it('restores hand-edited routes and records a RouteDrift warning', () => {
    const d = decide(input(idle, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 }, routes: { primary: 50, canary: 50, mirror: 0 } }));
    expect(d.actions).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
    expect(d.events[0]).toMatchObject({ type: 'Warning', reason: 'RouteDrift' });
  });
});

describe('decide: stepping', () => {
  it('moves to the first step without analysis once the canary is ready', () => {
    const i = input(releasing(0));
    expect(asksForAnalysis(i)).toBe(false);
    const d = decide(i);
    expect(d.status.canaryWeight).toBe(10);
    expect(setRoutes(d.actions)).toEqual({ type: 'setRoutes', routes: { primary: 90, canary: 10, mirror: 0 } });
    expect(d.status.lastTransitionTime).toBe(NOW.toISOString());
  });

  it.each([
    [10, 20],
    [20, 30],
  ])('advances from %i to %i when the analysis passes', (from, to) => {
    const i = input(releasing(from), {}, { verdict: pass });
    expect(asksForAnalysis(i)).toBe(true);
    const d = decide(i);
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: to });
    // Each result is kept with the weight it was measured at.
    expect(d.status.analysis).toEqual(pass.results.map((r) => ({ ...r, weight: from })));
    expect(d.status.message).toBe(`advanced canary weight to ${to}`);
  });

  it('follows explicit stepWeights', () => {
    const d = decide({ ...input(releasing(5), {}, { verdict: pass }), spec: spec({ strategy: { canary: { stepWeights: [5, 25, 60] } } }) });
    expect(d.status.canaryWeight).toBe(25);
  });

  it('promotes after the last step: primary takes the canary template', () => {
    const d = decide(input(releasing(30), {}, { verdict: pass }));
    expect(d.status.phase).toBe('Promoting');
    expect(d.status.canaryWeight).toBe(30);
    expect(d.actions).toContainEqual({ type: 'promotePrimary', revision: REV_B });
  });

  it('waits for a canary that is not ready yet', () => {
    const d = decide(input(releasing(0), { canary: { ready: false, message: '0 of 2 replicas available', replicas: 2 } }));
    expect(d.status.phase).toBe('Progressing');
    expect(d.status.message).toContain('0 of 2 replicas available');
    expect(d.actions).toEqual([]);
  });

  it('keeps the wait on record while the canary only progresses, so each replica is not a status write', () => {
    const waiting = decide(input(releasing(0), { canary: { ready: false, message: '0 of 2 replicas available', replicas: 2 } })).status;
    const later = decide(input(waiting, { canary: { ready: false, message: '1 of 2 replicas available', replicas: 2 } }));
    expect(later.status).toEqual(waiting);
    const stalled = decide(input(waiting, { canary: { ready: false, message: 'its Deployment exceeded its progress deadline (x)', replicas: 2 } }));
    expect(stalled.status.message).toContain('exceeded its progress deadline');
  });

  it('keeps the message of the tick that started a release while the canary scales up within QUIET_WAIT_SECONDS: a routine wait writes no status', () => {
    const started = decide(input(idle, { canary: { ready: false, message: '', replicas: 0 } })).status;
    const scaling = { ready: false, message: '0 of 2 replicas available (100% needed)', replicas: 2 };
    const soon = decide(input(started, { now: new Date(NOW.getTime() + 2_000), canary: scaling }));
    expect(soon.status).toEqual(started);
    // Outlasting the quiet time, the wait is said, once.
    const late = decide(input(started, { now: new Date(NOW.getTime() + QUIET_WAIT_SECONDS * 1000), canary: scaling }));
    expect(late.status.message).toBe('waiting for canary podinfo to be ready: 0 of 2 replicas available (100% needed)');
  });

  it('says at once a canary wait that is no routine: a stalled canary, or a canary that stops being ready under live traffic', () => {
    const started = decide(input(idle, { canary: { ready: false, message: '', replicas: 0 } })).status;
    const stalled = { ready: false, stalled: true, message: 'its Deployment exceeded its progress deadline (x)', replicas: 2 };
    expect(decide(input(started, { now: new Date(NOW.getTime() + 1_000), canary: stalled })).status.message).toContain('exceeded its progress deadline');
    const justAdvanced = releasing(10, { lastTransitionTime: NOW.toISOString(), message: 'advanced canary weight to 10' });
    const failing = decide(input(justAdvanced, { now: new Date(NOW.getTime() + 1_000), canary: { ready: false, message: '1 of 2 replicas available (100% needed)', replicas: 2 } }));
    expect(failing.status.message).toBe('waiting for canary podinfo to be ready: 1 of 2 replicas available (100% needed)');
  });

  it('rolls back when the canary is not ready within the progress deadline', () => {
    const status = releasing(10, { lastTransitionTime: new Date(NOW.getTime() - 61_000).toISOString() });
    const d = decide(input(status, { canary: { ready: false, message: '0 of 2 replicas available', replicas: 2 } }));
    expect(d.status.phase).toBe('Failed');
    expect(d.status.message).toMatch(/not ready within 60s/);
    expect(d.safeRoutes).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
    expect(d.actions).toEqual([{ type: 'scaleCanary', replicas: 0 }]);
  });

  it('restarts from weight 0 when a newer revision arrives mid-release', () => {
    const d = decide(input(releasing(20, { failedChecks: 2 }), { revision: REV_C }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: REV_C });
    expect(setRoutes(d.actions)).toEqual({ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } });
    expect(d.events[0]?.reason).toBe('RevisionChanged');
  });

  it('promotes at once with skipAnalysis', () => {
    const d = decide({ ...input(releasing(0)), spec: spec({ skipAnalysis: true }) });
    expect(d.status.phase).toBe('Promoting');
  });

  it('does nothing while suspended', () => {
    const d = decide({ ...input(releasing(10), {}, { verdict: fail }), spec: spec({ suspend: true }) });
    expect(d.actions).toEqual([]);
    expect(d.status.canaryWeight).toBe(10);
    expect(d.status.message).toContain('suspended');
  });
});

describe('decide: routes found elsewhere at a due check', () => {
  it('restores them and waits an interval of them instead of judging the weight they never had', () => {
    // A controller stopped between writing weight 20 and writing its routes: they are still at 0.
    const i = input(releasing(20), { routes: { primary: 100, canary: 0, mirror: 0 } }, { verdict: pass });
    const d = decide(i);
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20, lastAnalysisTime: NOW.toISOString() });
    expect(d.actions).toEqual([{ type: 'setRoutes', routes: { primary: 80, canary: 20, mirror: 0 } }]);
    expect(d.events[0]).toMatchObject({ type: 'Warning', reason: 'RouteDrift' });
    // An interval later, with the routes at 20, the check runs and the release steps on.
    const later = decide(input({ ...d.status }, { now: new Date(NOW.getTime() + 60_000) }, { verdict: pass }));
    expect(later.status.canaryWeight).toBeGreaterThan(20);
  });

  it('still rolls back at once when the due check fails', () => {
    const d = decide(input(releasing(20, { failedChecks: 2 }), { routes: { primary: 100, canary: 0, mirror: 0 } }, { verdict: fail }));
    expect(d.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
  });
});

describe('decide: failed checks', () => {
  it('counts a failed check and holds the weight below the threshold', () => {
    const d = decide(input(releasing(20, { failedChecks: 1 }), {}, { verdict: fail }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20, failedChecks: 2 });
    expect(d.status.message).toBe('check failed (2 of 3): request-success-rate 91.2 < 99');
    expect(d.events[0]).toMatchObject({ type: 'Warning', reason: 'AnalysisFailed' });
    expect(d.actions).toEqual([]);
  });

  it('rolls back in the same tick the threshold is reached, with the evidence', () => {
    const d = decide(input(releasing(20, { failedChecks: 2 }), {}, { verdict: fail }));
    expect(d.status).toMatchObject({ phase: 'Failed', canaryWeight: 0, failedChecks: 3 });
    expect(d.status.message).toBe('rolled back: 3 failed checks (request-success-rate 91.2 < 99)');
    expect(d.status.analysis).toEqual(fail.results.map((r) => ({ ...r, weight: 20 })));
    expect(d.status.conditions?.[0]).toMatchObject({ type: 'Promoted', status: 'False', reason: 'Failed' });
    expect(d.safeRoutes).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
    expect(d.actions).toEqual([{ type: 'scaleCanary', replicas: 0 }]);
  });

  it('removes the mirror on rollback', () => {
    const d = decide(input(releasing(0, { mirrorWeight: 50, failedChecks: 2 }), {}, { verdict: fail }));
    expect(setRoutes(d.safeRoutes ?? [])).toEqual({ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } });
  });
});

describe('decide: mirror phase', () => {
  const mirrored = spec({ strategy: { canary: { stepWeight: 10, maxWeight: 30, mirror: { percentage: 50, iterations: 2 } } } });

  it('mirrors before moving weight', () => {
    const d = decide({ ...input(releasing(0)), spec: mirrored });
    expect(setRoutes(d.actions)).toEqual({ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 50 } });
  });

  it('counts mirror iterations, then starts the weights with the mirror removed', () => {
    const first = decide({ ...input(releasing(0, { mirrorWeight: 50 }), {}, { verdict: pass }), spec: mirrored });
    expect(first.status).toMatchObject({ iterations: 1, mirrorWeight: 50, canaryWeight: 0 });
    const second = decide({ ...input(releasing(0, { mirrorWeight: 50, iterations: 1 }), {}, { verdict: pass }), spec: mirrored });
    expect(second.status).toMatchObject({ iterations: 2, mirrorWeight: 0, canaryWeight: 10 });
  });
});

describe('decide: promotion', () => {
  const promoting = releasing(30, { phase: 'Promoting' });

  it('keeps asking for the promotion while the primary runs the old revision', () => {
    const d = decide(input(promoting, { primary: { ready: true, replicas: 2, message: '', revision: REV_A } }));
    expect(d.status.phase).toBe('Promoting');
    expect(d.actions).toContainEqual({ type: 'promotePrimary', revision: REV_B });
  });

  it('keeps the message of the promoting tick while the primary rolls out within QUIET_WAIT_SECONDS, then says the wait', () => {
    const started = releasing(30, { phase: 'Promoting', lastTransitionTime: NOW.toISOString(), message: 'analysis passed at canary weight 30: promoting' });
    const rolling = { ready: false, replicas: 2, message: '0 of 2 replicas available (100% needed)', revision: REV_B };
    const soon = decide(input(started, { now: new Date(NOW.getTime() + 1_000), primary: rolling }));
    expect(soon.status.message).toBe('analysis passed at canary weight 30: promoting');
    const late = decide(input(started, { now: new Date(NOW.getTime() + QUIET_WAIT_SECONDS * 1000), primary: rolling }));
    expect(late.status.message).toBe('waiting for podinfo-primary to roll out revision bbbbbbbbbb: 0 of 2 replicas available (100% needed)');
  });

  it('succeeds in one write when the primary is ready: routes back at once, the canary scaled down once they settle', () => {
    const d = decide(input(promoting, { primary: { ready: true, replicas: 2, message: '', revision: REV_B } }));
    expect(d.status).toMatchObject({ phase: 'Succeeded', canaryWeight: 0, lastPromotedSpec: REV_B });
    // The routes back on the primary go out before the status that says so.
    expect(d.safeRoutes).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
    expect(d.actions).toEqual([]);
    expect(d.events.map((e) => e.reason)).toEqual(['Succeeded']);
    // Not an interval later: only the routes have to reach the proxies before the canary scales down.
    expect(d.nextTickMs).toBe(ROUTE_SETTLE_MS);
    const settled = decide(input(d.status, { primary: { ready: true, replicas: 2, message: '', revision: REV_B } }));
    expect(settled.actions).toEqual([{ type: 'scaleCanary', replicas: 0 }]);
    expect(settled.events).toEqual([]);
    expect(settled.status).toMatchObject({ phase: 'Succeeded', message: d.status.message });
  });

  it('shifts back by stepWeightPromotion per tick, paced by the interval, and succeeds at 0', () => {
    const stepped = spec({ strategy: { canary: { stepWeight: 10, maxWeight: 30, stepWeightPromotion: 20 } } });
    const d = decide({ ...input(promoting, { primary: { ready: true, replicas: 2, message: '', revision: REV_B } }), spec: stepped });
    expect(d.status).toMatchObject({ phase: 'Finalising', canaryWeight: 10 });
    expect(d.nextTickMs).toBeUndefined();
    const next = decide({ ...input({ ...d.status }, { primary: { ready: true, replicas: 2, message: '', revision: REV_B } }), spec: stepped });
    expect(next.status).toMatchObject({ phase: 'Succeeded', canaryWeight: 0 });
    expect(next.nextTickMs).toBe(ROUTE_SETTLE_MS);
  });

  it('succeeds from Finalising at weight 0 (a release an earlier version left there), lastPromotedSpec set', () => {
    const d = decide(input(releasing(0, { phase: 'Finalising' }), { primary: { ready: true, replicas: 2, message: '', revision: REV_B } }));
    expect(d.status).toMatchObject({ phase: 'Succeeded', lastPromotedSpec: REV_B });
    expect(d.status.conditions?.[0]).toMatchObject({ status: 'True', reason: 'Succeeded' });
  });

  it('rolls back when the primary is not ready within the deadline', () => {
    const late = { ...promoting, lastTransitionTime: new Date(NOW.getTime() - 120_000).toISOString() };
    const d = decide(input(late, { primary: { ready: false, replicas: 2, message: '1 of 2 replicas available', revision: REV_B } }));
    expect(d.status.phase).toBe('Failed');
  });
});

describe('decide: deletion', () => {
  it('only removes the finalizer without revertOnDeletion', () => {
    const d = decide(input(idle, { revision: REV_A }, { deleting: true }));
    expect(d.actions).toEqual([{ type: 'removeFinalizer' }]);
  });

  it('scales the target back up, then reverts and lets go', () => {
    const withRevert = spec({ revertOnDeletion: true });
    const waiting = decide({ ...input(idle, { revision: REV_A, canary: { ready: false, message: '', replicas: 0 } }, { deleting: true }), spec: withRevert });
    expect(waiting.status.phase).toBe('Terminating');
    expect(waiting.actions).toEqual([{ type: 'scaleCanary', replicas: 2 }]);
    const done = decide({ ...input(waiting.status, { revision: REV_A }, { deleting: true }), spec: withRevert });
    expect(done.status.phase).toBe('Terminated');
    expect(done.actions).toEqual([{ type: 'revert' }, { type: 'removeFinalizer' }]);
  });
});

describe('decide: spec changes', () => {
  it('re-applies the generated objects when the generation moved', () => {
    const d = decide(input(idle, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 } }, { generation: 2 }));
    expect(d.actions[0]).toEqual({ type: 'ensureObjects', routes: { primary: 100, canary: 0, mirror: 0 } });
    expect(d.status.observedGeneration).toBe(2);
  });

  it('creates the route again when it is missing after initialization', () => {
    const d = decide(input(releasing(20), { routes: undefined }, { verdict: pass }));
    expect(d.actions[0]).toEqual({ type: 'ensureObjects', routes: { primary: 70, canary: 30, mirror: 0 } });
  });
});

it('keeps primary + canary = 100 in every decision', () => {
  const cases = [input(releasing(10), {}, { verdict: pass }), input(releasing(30), {}, { verdict: fail }), input(idle, { revision: REV_B })];
  for (const c of cases) {
    const r = setRoutes(decide(c).actions);
    if (r?.type === 'setRoutes') expect(r.routes.primary + r.routes.canary).toBe(100);
  }
  expect(REV_A).not.toBe(REV_B);
});

describe('decide: pacing', () => {
  const recent = new Date(NOW.getTime() - 20_000).toISOString();
  const old = new Date(NOW.getTime() - 60_000).toISOString();

  it('asks for no analysis and holds the weight on a tick before the interval is over', () => {
    const i = input(releasing(20, { lastAnalysisTime: recent }));
    expect(asksForAnalysis(i)).toBe(false);
    const d = decide(i);
    expect(d.status.canaryWeight).toBe(20);
    expect(d.status.failedChecks).toBe(0);
    expect(d.actions).toEqual([]);
  });

  it('still repairs drifted routes on an early tick', () => {
    const d = decide(input(releasing(20, { lastAnalysisTime: recent }), { routes: { primary: 100, canary: 0, mirror: 0 } }));
    expect(setRoutes(d.actions)).toEqual({ type: 'setRoutes', routes: { primary: 80, canary: 20, mirror: 0 } });
  });

  it('runs the analysis once the interval has passed, and records when', () => {
    const i = input(releasing(20, { lastAnalysisTime: old }), {}, { verdict: pass });
    expect(asksForAnalysis(i)).toBe(true);
    expect(decide(i).status.lastAnalysisTime).toBe(NOW.toISOString());
  });

  it('starts the interval when traffic first reaches the canary', () => {
    expect(decide(input(releasing(0))).status.lastAnalysisTime).toBe(NOW.toISOString());
  });
});
