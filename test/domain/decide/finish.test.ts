import { describe, expect, it } from 'vitest';
import type { AlertSpec, Condition, GateResult, WebhookSpec } from '../../../src/api/types.gen.js';
import { decide, decideApplyFailure } from '../../../src/domain/decide/decide.js';
import { NOW, REV_A, REV_B, fail, idle, input, pass, releasing, spec } from '../fixtures.js';

const due = { lastAnalysisTime: new Date(NOW.getTime() - 120_000).toISOString() };
const load: WebhookSpec = { name: 'load', type: 'rollout', url: 'http://gate.test/load' };
const loadAnswer = (open: boolean): GateResult => ({ name: 'load', type: 'rollout', open, message: open ? 'answered 200' : 'answered 500: load test failed', time: NOW.toISOString() });

describe('decide: a check asks its metrics, then its rollout webhooks', () => {
  const hooked = (extra: Parameters<typeof input>[2] = {}) => ({ ...input(releasing(10, due), {}, extra), spec: spec({ analysis: { interval: '1m', threshold: 3, webhooks: [load] } }) });

  it('asks the analysis first, and the webhook only once the metrics passed', () => {
    expect(decide(hooked()).asks).toEqual([{ kind: 'analysis' }]);
    expect(decide(hooked({ verdict: pass })).asks).toEqual([{ kind: 'gate', name: 'load' }]);
  });

  it('fails the check on failing metrics without asking the webhook: a rollback never waits for one', () => {
    const d = decide(hooked({ verdict: fail }));
    expect(d.asks).toBeUndefined();
    expect(d.status.failedChecks).toBe(1);
    const last = decide({ ...hooked({ verdict: fail }), status: releasing(10, { ...due, failedChecks: 2 }) });
    expect(last.asks).toBeUndefined();
    expect(last.status.phase).toBe('Failed');
    expect(last.safeRoutes).toEqual([{ type: 'setRoutes', routes: { primary: 100, canary: 0, mirror: 0 } }]);
  });

  it('fails the check on a closed webhook, the metrics having passed', () => {
    const d = decide(hooked({ verdict: pass, gates: { load: loadAnswer(false) } }));
    expect(d.asks).toBeUndefined();
    expect(d.status.failedChecks).toBe(1);
    expect(d.status.message).toBe('check failed (1 of 3): webhook load: answered 500: load test failed');
    expect(d.status.analysis?.map((r) => r.name)).toEqual(['load', 'request-success-rate']);
  });

  it('holds without a verdict while the webhook has not answered: no failed check, no step, an Event once', () => {
    const pending = { ...loadAnswer(false), pending: true as const, message: 'asked at 2026-11-22T10:00:00.000Z, no answer yet' };
    const d = decide(hooked({ verdict: pass, gates: { load: pending } }));
    expect(d.asks).toBeUndefined();
    expect(d.status).toMatchObject({ canaryWeight: 10, failedChecks: 0, lastAnalysisTime: due.lastAnalysisTime });
    expect(d.status.message).toBe('check waits for its webhooks: rollout gate load asked at 2026-11-22T10:00:00.000Z, no answer yet');
    expect(d.events.map((e) => e.reason)).toEqual(['WaitingForWebhooks']);
    expect(decide({ ...hooked({ verdict: pass, gates: { load: pending } }), status: d.status }).events).toEqual([]);
  });

  it('puts the webhook before the metrics in the evidence, and keeps rollout answers out of status.gates', () => {
    const d = decide(hooked({ gates: { load: loadAnswer(true) }, verdict: pass }));
    expect(d.status.analysis?.map((r) => r.name)).toEqual(['load', 'request-success-rate']);
    expect(d.status.gates ?? []).toEqual([]);
  });

  it('asks nothing before the interval is up', () => {
    expect(decide({ ...hooked(), status: releasing(10, { lastAnalysisTime: NOW.toISOString() }) }).asks).toBeUndefined();
  });
});

describe('decide: the finalizer', () => {
  it('is added when revertOnDeletion is set, and removed once it is not', () => {
    const wanting = { ...input(idle, { revision: REV_A }), spec: spec({ revertOnDeletion: true }) };
    expect(decide(wanting).finalizer).toBe('add');
    expect(decide({ ...wanting, hasFinalizer: true }).finalizer).toBeUndefined();
    expect(decide({ ...input(idle, { revision: REV_A }), hasFinalizer: true }).finalizer).toBe('remove');
  });

  it('is added even while the Rollout is held by a problem, so traffic can always be handed back', () => {
    const blocked = { ...input(releasing(20), {}, { problems: ['spec.service.port: bad'] }), spec: spec({ revertOnDeletion: true }) };
    expect(decide(blocked).finalizer).toBe('add');
  });

  it('is left alone on deletion (the deletion removes it as an action, after handing traffic back)', () => {
    const deleting = { ...input(idle, { revision: REV_A }), spec: spec({ revertOnDeletion: true }), deleting: true };
    expect(decide(deleting).finalizer).toBeUndefined();
  });
});

describe('decide: the AlertsReady condition', () => {
  const alerts: AlertSpec[] = [{ name: 'oncall', providerRef: { name: 'slack' } }];
  const withAlerts = (status = idle, extra: Parameters<typeof input>[2] = {}) => ({ ...input(status, { revision: REV_A }, extra), spec: spec({ analysis: { interval: '1m', threshold: 3, alerts } }) });
  const ready = (c: Partial<Condition> = {}): Condition => ({ type: 'AlertsReady', status: 'True', reason: 'AlertProvidersFound', message: 'every alert has its AlertProvider and Secret', lastTransitionTime: NOW.toISOString(), observedGeneration: 1, ...c });

  it('asks for the check until the condition is current, then not on a quiet tick', () => {
    expect(decide(withAlerts()).asks).toEqual([{ kind: 'alerts' }]);
    expect(decide(withAlerts({ ...idle, conditions: [ready()] })).asks).toBeUndefined();
  });

  it('asks again when the decision has Events to tell: a provider may have gone since', () => {
    const releasingWithAlerts = { ...withAlerts({ ...idle, conditions: [ready()] }), observed: input(idle).observed };
    expect(decide(releasingWithAlerts).asks).toEqual([{ kind: 'alerts' }]);
  });

  it('reports a missing provider in the condition and once in a Warning Event; the release goes on', () => {
    const problem = 'alert "oncall" (spec.analysis.alerts[0]): AlertProvider default/slack not found: create it or fix providerRef';
    const d = decide(withAlerts(idle, { alerts: { ready: [], problems: [problem] } }));
    expect(d.status.conditions?.find((c) => c.type === 'AlertsReady')).toMatchObject({ status: 'False', reason: 'AlertProviderMissing', message: problem });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'AlertMisconfigured', message: `alerts will not be sent: ${problem}` }]);
    const again = decide(withAlerts(d.status, { alerts: { ready: [], problems: [problem] } }));
    expect(again.events).toEqual([]);
  });

  it('is True once every alert resolves, and goes with the last alert', () => {
    const d = decide(withAlerts(idle, { alerts: { ready: ['oncall'], problems: [] } }));
    expect(d.status.conditions?.find((c) => c.type === 'AlertsReady')?.status).toBe('True');
    const gone = decide({ ...input({ ...idle, conditions: [ready()] }, { revision: REV_A }) });
    expect(gone.status.conditions?.some((c) => c.type === 'AlertsReady')).toBe(false);
  });
});

describe('decide: a dependency error ends once the actions go through', () => {
  const failing = (c: Partial<Condition> = {}): Condition => ({ type: 'DependencyError', status: 'True', reason: 'ApplyFailed', message: 'could not apply the decision, retrying: boom', lastTransitionTime: NOW.toISOString(), observedGeneration: 1, ...c });

  it('settles after the actions when there are some', () => {
    const d = decide(input(releasing(10, { ...due, conditions: [failing()] }), {}, { verdict: pass }));
    expect(d.actions.length).toBeGreaterThan(0);
    expect(d.status.conditions?.some((c) => c.type === 'DependencyError')).toBe(true);
    expect(d.settled?.conditions?.some((c) => c.type === 'DependencyError')).toBe(false);
  });

  it('ends at once when there is nothing to carry out', () => {
    const d = decide(input({ ...idle, conditions: [failing()] }, { revision: REV_A, canary: { ready: false, message: '', replicas: 0 } }));
    expect(d.actions).toEqual([]);
    expect(d.settled).toBeUndefined();
    expect(d.status.conditions?.some((c) => c.type === 'DependencyError')).toBe(false);
  });

  it('a failure is recorded, not settled', () => {
    const d = decideApplyFailure(input(releasing(10)), 'admission webhook denied the request');
    expect(d.settled).toBeUndefined();
    expect(d.status.conditions?.find((c) => c.type === 'DependencyError')?.message).toContain('admission webhook denied the request');
  });
});

describe('decide: primary and canary sizes are decided here', () => {
  it('creates the primary as large as the target, and gives an existing one the new template', () => {
    const creating = decide(input({}, { primary: undefined, routes: undefined, revision: REV_A, canary: { ready: false, message: '', replicas: 3 } }));
    expect(creating.actions).toEqual([{ type: 'ensurePrimary', replicas: 3 }]);
    const behind = decide(input({ phase: 'Initializing' }, { primary: { ready: true, replicas: 3, message: '', revision: REV_A }, routes: undefined, revision: REV_B }));
    expect(behind.actions).toEqual([{ type: 'promotePrimary', revision: REV_B }]);
  });

  it('scales the canary to the primary size', () => {
    const idleNew = input(idle, { canary: { ready: false, message: '', replicas: 0 }, primary: { ready: true, replicas: 4, message: '', revision: REV_A } });
    expect(decide(idleNew).actions).toContainEqual({ type: 'scaleCanary', replicas: 4 });
  });

  it('rolls back with the canary scaled to zero', () => {
    const d = decide(input(releasing(20, { ...due, failedChecks: 2 }), {}, { verdict: fail }));
    expect(d.actions).toContainEqual({ type: 'scaleCanary', replicas: 0 });
  });
});
