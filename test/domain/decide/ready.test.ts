import { describe, expect, it } from 'vitest';
import type { Condition, Phase, RolloutStatus } from '../../../src/api/types.gen.js';
import { decide, decideApplyFailure, decideRefusedStatus } from '../../../src/domain/decide/decide.js';
import { READY, RECONCILING, STALLED, ReadyState, readyState } from '../../../src/domain/decide/ready.js';
import { DEPENDENCY_ERROR } from '../../../src/domain/status.js';
import { NOW, REV_A, REV_B, idle, input, releasing, spec } from '../fixtures.js';

const condition = (type: string, status: Condition['status']): Condition => ({ type, status, reason: 'R', message: 'm', lastTransitionTime: NOW.toISOString() });
const find = (status: RolloutStatus, type: string): Condition | undefined => status.conditions?.find((c) => c.type === type);
const later = (seconds: number): Date => new Date(NOW.getTime() + seconds * 1000);

describe('readyState: every phase', () => {
  const cases: [Phase | undefined, ReadyState, string][] = [
    [undefined, 'Reconciling', 'Initializing'],
    ['Initializing', 'Reconciling', 'Initializing'],
    ['Initialized', 'Ready', 'Initialized'],
    ['Waiting', 'Reconciling', 'Waiting'],
    ['Progressing', 'Reconciling', 'Progressing'],
    ['WaitingPromotion', 'Reconciling', 'WaitingPromotion'],
    ['Promoting', 'Reconciling', 'Promoting'],
    ['Finalising', 'Reconciling', 'Finalising'],
    ['Succeeded', 'Ready', 'Succeeded'],
    ['Failed', 'Stalled', 'Failed'],
    ['Terminating', 'Reconciling', 'Terminating'],
    ['Terminated', 'Reconciling', 'Terminated'],
  ];
  it.each(cases)('%s is %s (%s)', (phase, state, reason) => {
    const status: RolloutStatus = { ...releasing(0), ...(phase === undefined ? {} : { phase }) };
    if (phase === undefined) delete status.phase;
    expect(readyState(status, false)).toEqual({ state, reason });
  });

  it('a failed release whose target is back on the promoted revision is Ready again (a GitOps revert)', () => {
    expect(readyState({ ...releasing(0), phase: 'Failed', lastAppliedSpec: REV_A, lastPromotedSpec: REV_A }, false)).toEqual({ state: 'Ready', reason: 'RevisionReverted' });
  });
});

describe('readyState: what holds a Rollout back comes before its phase', () => {
  it('an invalid spec and a refused status are Stalled, whatever the phase', () => {
    expect(readyState({ ...idle, conditions: [condition('Invalid', 'True')] }, false)).toEqual({ state: 'Stalled', reason: 'InvalidSpec' });
    expect(readyState({ ...releasing(20), conditions: [condition('StatusRefused', 'True')] }, false)).toEqual({ state: 'Stalled', reason: 'StatusRefused' });
  });

  it('spec.suspend is Suspended, even mid-release; an invalid spec still Stalled', () => {
    expect(readyState(releasing(20), true)).toEqual({ state: 'Suspended', reason: 'Suspended' });
    expect(readyState({ ...idle, conditions: [condition('Invalid', 'True')] }, true).state).toBe('Stalled');
  });

  it('unresolved references and failing API calls are retried: Reconciling, even at rest', () => {
    expect(readyState({ ...idle, conditions: [condition('ReferencesResolved', 'False')] }, false)).toEqual({ state: 'Reconciling', reason: 'ReferencesUnresolved' });
    expect(readyState({ ...idle, conditions: [condition(DEPENDENCY_ERROR, 'True')] }, false)).toEqual({ state: 'Reconciling', reason: 'ApplyFailed' });
  });
});

describe('decide: the Ready, Reconciling and Stalled conditions', () => {
  it('an initialized Rollout is Ready; the message is the status message, kept only where the condition holds', () => {
    const d = decide(input({ phase: 'Initializing' }, { revision: REV_A }));
    expect(find(d.status, READY)).toEqual({
      type: READY,
      status: 'True',
      reason: 'Initialized',
      message: d.status.message,
      lastTransitionTime: NOW.toISOString(),
      observedGeneration: 1,
    });
    expect(find(d.status, RECONCILING)).toMatchObject({ status: 'False', reason: 'Initialized', message: '' });
    expect(find(d.status, STALLED)).toMatchObject({ status: 'False', reason: 'Initialized', message: '' });
    expect(d.status.conditions?.[0]?.type).toBe('Promoted');
  });

  it('a new revision makes it Reconciling in the write that starts the release', () => {
    const rest = decide(input({ phase: 'Initializing' }, { revision: REV_A })).status;
    const d = decide(input(rest, { now: later(60), revision: REV_B, canary: { ready: false, message: '', replicas: 0 } }));
    expect(d.status.phase).toBe('Progressing');
    expect(find(d.status, READY)).toMatchObject({ status: 'False', reason: 'Progressing', lastTransitionTime: later(60).toISOString() });
    expect(find(d.status, RECONCILING)).toMatchObject({ status: 'True', reason: 'Progressing', message: d.status.message });
    // Stalled stayed False: its transition time is the one on record.
    expect(find(d.status, STALLED)).toMatchObject({ status: 'False', lastTransitionTime: NOW.toISOString() });
  });

  it('a rollback is Stalled in the write that ends the release', () => {
    const abort = { revision: REV_B, by: 'alice', at: NOW.toISOString() };
    const d = decide(input(releasing(20), {}, { controls: { abort } }));
    expect(d.status.phase).toBe('Failed');
    expect(find(d.status, STALLED)).toMatchObject({ status: 'True', reason: 'Failed', message: d.status.message });
    expect(find(d.status, READY)).toMatchObject({ status: 'False', reason: 'Failed' });
  });

  it('costs no write: deciding an idle Rollout again gives the same status', () => {
    const rest = decide(input({ phase: 'Initializing' }, { revision: REV_A })).status;
    const quiet = { revision: REV_A, canary: { ready: true, message: '', replicas: 0 } };
    expect(decide(input(rest, { ...quiet, now: later(600) })).status).toEqual(rest);
  });

  it('a spec change is acted on with the new generation in the status and in the conditions', () => {
    const rest = decide(input({ phase: 'Initializing' }, { revision: REV_A })).status;
    const d = decide(input(rest, { revision: REV_A, canary: { ready: true, message: '', replicas: 0 } }, { generation: 2 }));
    expect(d.status.observedGeneration).toBe(2);
    expect(find(d.status, READY)).toMatchObject({ status: 'True', observedGeneration: 2 });
  });

  it('a decision that failed to apply keeps the generation last acted on, and is Reconciling until one applies', () => {
    const failed = decideApplyFailure(input(idle, { revision: REV_A }, { generation: 2 }), 'admission webhook denied the request');
    expect(failed.status.observedGeneration).toBe(1);
    expect(find(failed.status, READY)).toMatchObject({ status: 'False', reason: 'ApplyFailed', observedGeneration: 1 });
    expect(find(failed.status, RECONCILING)).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
  });

  it('the write that ends a dependency error after its actions went through is Ready again', () => {
    const failing = { ...releasing(0), conditions: [condition(DEPENDENCY_ERROR, 'True')] };
    const d = decide(input({ ...idle, conditions: failing.conditions }, { revision: REV_A, canary: { ready: true, message: '', replicas: 2 } }));
    expect(find(d.status, READY)?.status).toBe('False');
    expect(d.settled && find(d.settled, READY)).toMatchObject({ status: 'True', reason: 'Initialized' });
  });

  it('a refused status is Stalled', () => {
    const d = decideRefusedStatus(input(releasing(20)), 'status.message: Too long');
    expect(find(d.status, STALLED)).toMatchObject({ status: 'True', reason: 'StatusRefused' });
  });

  it('a suspended Rollout is neither Ready, Reconciling nor Stalled', () => {
    const d = decide({ ...input(releasing(20)), spec: spec({ suspend: true }) });
    expect(d.status.conditions?.filter((c) => [READY, RECONCILING, STALLED].includes(c.type)).map((c) => [c.type, c.status, c.reason])).toEqual([
      [READY, 'False', 'Suspended'],
      [RECONCILING, 'False', 'Suspended'],
      [STALLED, 'False', 'Suspended'],
    ]);
  });
});
