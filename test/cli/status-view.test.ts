import { describe, expect, it } from 'vitest';
import { renderStatus } from '../../src/cli/status-view.js';
import { REV_NEW, REV_OLD, progressing, shopRollout } from './fixtures.js';

describe('the status view', () => {
  it('shows phase, weight with step n of m, failed checks against the threshold, revisions and the message', () => {
    expect(renderStatus(shopRollout(progressing))).toEqual([
      'podinfo (namespace shop)',
      'Phase:    Progressing',
      'Strategy: canary',
      'Weight:   20% (step 2 of 4)',
      'Checks:   1 failed, rollback at 3',
      `Revision: ${REV_NEW} (primary runs ${REV_OLD})`,
      'Message:  advanced canary weight to 20%',
    ]);
  });

  it("shows each metric's last value against its bound, and why a failed one failed", () => {
    const lines = renderStatus(
      shopRollout({
        ...progressing,
        analysis: [
          { name: 'request-success-rate', value: 99.8123, thresholdRange: { min: 99 }, passed: true, message: 'ok', time: '2026-11-22T10:00:00Z' },
          { name: 'request-duration', value: 612.351, thresholdRange: { max: 500 }, passed: false, message: 'request-duration 612.35 ms > 500 ms (max)', time: '2026-11-22T10:00:00Z' },
          { name: 'error-budget', thresholdRange: { min: 0, max: 1 }, passed: false, message: 'no values found for error-budget', time: '2026-11-22T10:00:00Z' },
          { name: 'latency-vs-primary', value: 210, primaryValue: 200, passed: true, message: 'ok', time: '2026-11-22T10:00:00Z' },
        ],
      }),
    );
    expect(lines.slice(lines.indexOf('Metrics:'), lines.indexOf('Metrics:') + 6)).toEqual([
      'Metrics:',
      '  NAME                   VALUE     BOUND         RESULT',
      '  request-success-rate   99.81     >= 99         passed',
      '  request-duration       612.35    <= 500        failed: request-duration 612.35 ms > 500 ms (max)',
      '  error-budget           no data   0..1          failed: no values found for error-budget',
      '  latency-vs-primary     210       primary 200   passed',
    ]);
  });

  it("shows each gate's last answer", () => {
    const lines = renderStatus(
      shopRollout({
        ...progressing,
        phase: 'WaitingPromotion',
        canaryWeight: 80,
        gates: [
          { name: 'approval', type: 'confirm-promotion', open: false, message: 'waiting for kubectl flowshift approve', time: '2026-11-22T10:00:00Z' },
          { name: 'load-test', type: 'confirm-traffic-increase', open: true, message: '200 OK', time: '2026-11-22T09:59:00Z' },
        ],
      }),
    );
    expect(lines).toContain('Weight:   80% (step 4 of 4)');
    expect(lines.slice(lines.indexOf('Gates:'), lines.indexOf('Gates:') + 4)).toEqual([
      'Gates:',
      '  NAME        TYPE                       ANSWER   MESSAGE',
      '  approval    confirm-promotion          closed   waiting for kubectl flowshift approve',
      '  load-test   confirm-traffic-increase   open     200 OK',
    ]);
  });

  it('shows who approved the current revision, and not an approval of an earlier one', () => {
    const approval = { revision: REV_NEW, by: 'alice@example.com', at: '2026-11-22T10:01:00Z' };
    expect(renderStatus(shopRollout({ ...progressing, approval }))).toContain('Approved: by alice@example.com at 2026-11-22T10:01:00Z');
    const stale = { ...approval, revision: REV_OLD };
    expect(renderStatus(shopRollout({ ...progressing, approval: stale })).join('\n')).not.toContain('Approved');
  });

  it('says when the Rollout is paused, and shows the mirror', () => {
    const lines = renderStatus(shopRollout({ ...progressing, canaryWeight: 0, mirrorWeight: 50 }, { suspend: true }));
    expect(lines).toContain('Paused:   yes: spec.suspend is true, ticks change nothing (resume to go on)');
    expect(lines).toContain('Weight:   0% (step 0 of 4), mirror 50%');
  });

  it('shows no step outside a release, and a promoted revision as such', () => {
    const lines = renderStatus(shopRollout({ phase: 'Succeeded', canaryWeight: 0, failedChecks: 0, lastAppliedSpec: REV_NEW, lastPromotedSpec: REV_NEW }));
    expect(lines).toContain('Weight:   0%');
    expect(lines).toContain(`Revision: ${REV_NEW} (promoted)`);
  });

  it('points at the controller when there is no status yet', () => {
    expect(renderStatus(shopRollout(undefined))).toEqual([
      'podinfo (namespace shop)',
      'Phase:    none yet: no status written; is the controller running and watching this namespace?',
    ]);
  });
});
