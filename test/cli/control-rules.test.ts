import { describe, expect, it } from 'vitest';
import { controlTarget, type ControlTarget } from '../../src/cli/control-rules.js';
import { stepOf } from '../../src/cli/step.js';
import { REV_NEW, REV_OLD, manualGate, progressing, shopRollout } from './fixtures.js';

const refusal = (target: ControlTarget): string => ('refusal' in target ? target.refusal : `no refusal: ${target.revision}`);

const withGate = { analysis: { interval: '30s', threshold: 3, webhooks: [manualGate] } };

describe('what approve, abort and retry act on', () => {
  it('approve targets the revision in progress when the Rollout has a manual gate', () => {
    for (const phase of ['Progressing', 'Waiting', 'WaitingPromotion'] as const) {
      expect(controlTarget('approve', shopRollout({ ...progressing, phase }, withGate))).toEqual({ revision: REV_NEW });
    }
  });

  it('approve refuses when no release is in progress', () => {
    const target = controlTarget('approve', shopRollout({ ...progressing, phase: 'Succeeded' }, withGate));
    expect(refusal(target)).toContain('nothing to approve: podinfo is Succeeded, no release is in progress');
  });

  it('approve refuses a Rollout without a manual gate, naming the field', () => {
    expect(refusal(controlTarget('approve', shopRollout(progressing)))).toContain('has no manual gate (a spec.analysis.webhooks[] entry with manual: true)');
  });

  it('approve refuses a revision already approved, but not when the approval was for an earlier revision', () => {
    const approval = { revision: REV_NEW, by: 'alice', at: '2026-11-22T10:01:00Z' };
    expect(controlTarget('approve', shopRollout({ ...progressing, approval }, withGate))).toEqual({
      refusal: `nothing to approve: revision ${REV_NEW} of podinfo is already approved (by alice at 2026-11-22T10:01:00Z)`,
    });
    expect(controlTarget('approve', shopRollout({ ...progressing, approval: { ...approval, revision: REV_OLD } }, withGate))).toEqual({ revision: REV_NEW });
  });

  it('abort targets a release in progress and refuses otherwise', () => {
    expect(controlTarget('abort', shopRollout({ ...progressing, phase: 'WaitingPromotion' }))).toEqual({ revision: REV_NEW });
    expect(refusal(controlTarget('abort', shopRollout({ ...progressing, phase: 'Failed' })))).toContain('nothing to abort: podinfo is Failed');
    expect(refusal(controlTarget('abort', shopRollout(undefined)))).toContain('nothing to abort: podinfo is without a status yet');
  });

  it('retry targets the failed revision and refuses in any other phase', () => {
    expect(controlTarget('retry', shopRollout({ ...progressing, phase: 'Failed' }))).toEqual({ revision: REV_NEW });
    expect(controlTarget('retry', shopRollout(progressing))).toEqual({
      refusal: 'nothing to retry: podinfo is Progressing; retry releases a Failed revision again',
    });
  });
});

describe('what promote and promote --full act on', () => {
  it('promote targets a Progressing release, whose next check it makes due', () => {
    expect(controlTarget('promote', shopRollout(progressing))).toEqual({ revision: REV_NEW });
  });

  it('promote refuses a release that waits for a gate, pointing at approve', () => {
    const refused = refusal(controlTarget('promote', shopRollout({ ...progressing, phase: 'WaitingPromotion', message: 'waiting for confirm-promotion' })));
    expect(refused).toBe('nothing to promote: podinfo is WaitingPromotion, it waits for a gate, not for a check (waiting for confirm-promotion); approve opens manual gates');
  });

  it('promote refuses when no release is in progress, or when the analysis is skipped', () => {
    expect(refusal(controlTarget('promote', shopRollout({ ...progressing, phase: 'Succeeded' })))).toContain('nothing to promote: podinfo is Succeeded, no release is in progress');
    expect(refusal(controlTarget('promote', shopRollout(progressing, { skipAnalysis: true })))).toContain('skips its analysis (spec.skipAnalysis is true)');
  });

  it('promote --full targets a release not yet past its analysis, once', () => {
    expect(controlTarget('promoteFull', shopRollout({ ...progressing, phase: 'Waiting' }))).toEqual({ revision: REV_NEW });
    expect(refusal(controlTarget('promoteFull', shopRollout({ ...progressing, phase: 'WaitingPromotion' })))).toContain('promote --full does not open gates, approve opens manual ones');
    const fullPromotion = { revision: REV_NEW, by: 'alice', at: '2026-11-22T10:01:00Z' };
    expect(refusal(controlTarget('promoteFull', shopRollout({ ...progressing, fullPromotion })))).toBe(
      'nothing to skip: podinfo already skips its analysis (full promotion asked by alice at 2026-11-22T10:01:00Z)',
    );
    expect(controlTarget('promoteFull', shopRollout({ ...progressing, fullPromotion: { ...fullPromotion, revision: REV_OLD } }))).toEqual({ revision: REV_NEW });
  });
});

describe('step n of m', () => {
  it('counts the stepWeights at or below the canary weight', () => {
    expect(stepOf(shopRollout({ ...progressing, canaryWeight: 40 }))).toEqual({ unit: 'step', n: 3, of: 4 });
    expect(stepOf(shopRollout({ ...progressing, canaryWeight: 0 }))).toEqual({ unit: 'step', n: 0, of: 4 });
  });

  it('derives the steps from stepWeight and maxWeight as the controller does', () => {
    expect(stepOf(shopRollout({ ...progressing, canaryWeight: 40 }, { strategy: { canary: { stepWeight: 20, maxWeight: 60 } } }))).toEqual({ unit: 'step', n: 2, of: 3 });
  });

  it('counts iterations for blueGreen', () => {
    expect(stepOf(shopRollout({ ...progressing, canaryWeight: 0, iterations: 2 }, { strategy: { blueGreen: { iterations: 5 } } }))).toEqual({ unit: 'iteration', n: 2, of: 5 });
  });

  it('has no step outside a release', () => {
    expect(stepOf(shopRollout({ ...progressing, phase: 'Promoting' }))).toBeUndefined();
  });
});
