import { describe, expect, it } from 'vitest';
import { decide, preflightDue } from '../../../src/domain/decide/decide.js';
import { REFERENCES_RESOLVED } from '../../../src/domain/decide/preflight.js';
import { REV_B, idle, input, pass, releasing, spec } from '../fixtures.js';

const missing = 'spec.analysis.metrics[0].templateRef: MetricTemplate apps/error-rate not found (create it, or fix the name)';

describe('decide: references resolve before anything moves', () => {
  it('creates nothing at initialization while a reference is missing', () => {
    const d = decide(input({}, { primary: undefined, routes: undefined }, { unresolved: [missing] }));
    expect(d.actions).toEqual([]);
    expect(d.safeRoutes ?? []).toEqual([]);
    expect(d.status.phase).toBe('Initializing');
    expect(d.status.message).toContain(missing);
    expect(d.status.conditions?.find((c) => c.type === REFERENCES_RESOLVED)).toMatchObject({ status: 'False', reason: 'ReferenceNotFound' });
    expect(d.events).toEqual([{ type: 'Warning', reason: 'ReferencesUnresolved', message: d.status.message }]);
  });

  it('holds a new revision at weight 0: no step, no failed check, no rollback', () => {
    const d = decide(input(releasing(0), {}, { unresolved: [missing], verdict: pass }));
    expect(d.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0 });
    expect(d.actions.some((a) => a.type === 'setRoutes')).toBe(false);
    expect(d.events.map((e) => e.reason)).toEqual(['ReferencesUnresolved']);
  });

  it('records the Warning once per message, not on every tick', () => {
    const first = decide(input(releasing(0), {}, { unresolved: [missing] }));
    const again = decide(input(first.status, {}, { unresolved: [missing] }));
    expect(again.events).toEqual([]);
    const other = decide(input(again.status, {}, { unresolved: ['spec.analysis.webhooks[0].secretRef: Secret apps/sign not found (create it)'] }));
    expect(other.events).toHaveLength(1);
  });

  it('starts the release on the first tick the references resolve, and drops the condition', () => {
    const held = decide(input(releasing(0), {}, { unresolved: [missing] }));
    const d = decide(input(held.status, {}, { unresolved: [] }));
    expect(d.status.canaryWeight).toBe(10);
    expect(d.status.conditions?.some((c) => c.type === REFERENCES_RESOLVED)).toBe(false);
  });

  it('leaves a release already serving the canary to its analysis', () => {
    const status = releasing(20);
    expect(preflightDue({ status, deleting: false, spec: spec() })).toBe(false);
    const d = decide(input(status, {}, { unresolved: [missing], verdict: pass }));
    expect(d.status.canaryWeight).toBe(30);
  });

  it('resolves on the ticks that initialize or start traffic only', () => {
    const due = (status: Parameters<typeof preflightDue>[0]['status']): boolean => preflightDue({ status, deleting: false, spec: spec() });
    expect(due({})).toBe(true);
    expect(due(releasing(0))).toBe(true);
    expect(due({ ...releasing(0), phase: 'Waiting' })).toBe(true);
    expect(due(idle)).toBe(false);
    expect(due(releasing(0, { mirrorWeight: 10 }))).toBe(false);
    expect(due(releasing(0, { iterations: 1, lastAppliedSpec: REV_B }))).toBe(false);
  });
});
