// The data the dashboard's pages draw, computed from a Rollout alone (plus
// its Events and what the dashboard saw): plain data in, plain data out.
import { describe, expect, it } from 'vitest';
import type { MetricResult, RolloutStatus } from '../../../src/api/types.gen.js';
import { detailOf } from '../../../src/cli/dashboard/detail.js';
import type { EventView } from '../../../src/cli/dashboard/events.js';
import { rowOf } from '../../../src/cli/dashboard/row.js';
import { metricSeries } from '../../../src/cli/dashboard/series.js';
import { timelineOf, weightPoints, type Observation } from '../../../src/cli/dashboard/timeline.js';
import { REV_NEW, manualGate, progressing, shopRollout } from '../fixtures.js';

const successRate: MetricResult = {
  name: 'request-success-rate',
  value: 97.5,
  primaryValue: 99.9,
  thresholdRange: { min: 99 },
  passed: false,
  message: 'request-success-rate 97.5 < 99 (min)',
  time: '2026-11-22T10:01:00Z',
  weight: 20,
  history: [
    { time: '2026-11-22T10:00:00Z', weight: 10, value: 99.5, primaryValue: 99.8, passed: true },
    { time: '2026-11-22T10:00:30Z', weight: 10, primaryValue: 99.8, passed: false },
  ],
};

const waiting: RolloutStatus = {
  ...progressing,
  phase: 'WaitingPromotion',
  analysis: [successRate],
  gates: [{ name: 'approval', type: 'confirm-promotion', open: false, message: 'waiting for kubectl flowshift approve', time: '2026-11-22T10:01:05Z' }],
  approval: { revision: 'older', by: 'alice', at: '2026-11-22T09:00:00Z' },
};

describe("the dashboard's data", () => {
  it('gives each metric one point per measurement in the status, oldest first, with the bound it was checked against', () => {
    const [series] = metricSeries(shopRollout(waiting));
    expect(series?.points).toEqual([
      { time: '2026-11-22T10:00:00Z', weight: 10, canary: 99.5, primary: 99.8, passed: true },
      { time: '2026-11-22T10:00:30Z', weight: 10, canary: null, primary: 99.8, passed: false },
      { time: '2026-11-22T10:01:00Z', weight: 20, canary: 97.5, primary: 99.9, passed: false },
    ]);
    expect(series?.bound).toEqual({ min: 99 });
    expect(series?.latest).toEqual({ passed: false, message: 'request-success-rate 97.5 < 99 (min)' });
  });

  it("lists a row with the step, the failed checks against the threshold and the gates the release waits on", () => {
    const row = rowOf(shopRollout(waiting));
    expect(row).toMatchObject({ key: 'shop/podinfo', phase: 'WaitingPromotion', canaryWeight: 20, failedChecks: 1, threshold: 3, waitingGates: ['approval'], stepText: 'step 2 of 4' });
    // An approval of another revision is not the release's.
    expect(row.approval).toBeNull();
  });

  it('orders the timeline by time: Events, gates with their answers, who approved, failed checks and the weights the dashboard saw', () => {
    const events: EventView[] = [{ type: 'Normal', reason: 'NewRevision', message: 'new revision detected', count: 1, lastTime: '2026-11-22T09:59:50Z' }];
    const observed: Observation[] = [{ time: '2026-11-22T10:00:20Z', phase: 'Progressing', weight: 10 }];
    const lines = timelineOf(shopRollout(waiting), events, observed).map((e) => `${e.time} ${e.kind} ${e.text}${e.warning ? ' !' : ''}`);
    expect(lines).toEqual([
      '2026-11-22T09:00:00Z action approved by alice (revision older)',
      '2026-11-22T09:59:50Z event NewRevision: new revision detected',
      '2026-11-22T10:00:20Z observed Progressing at weight 10%',
      '2026-11-22T10:00:30Z check-failed request-success-rate no data at weight 10% !',
      '2026-11-22T10:01:00Z check-failed request-success-rate 97.5 at weight 20% !',
      '2026-11-22T10:01:05Z gate approval (confirm-promotion) closed: waiting for kubectl flowshift approve',
    ]);
  });

  it('draws the weight at each measurement and at each change seen, once per instant', () => {
    const observed: Observation[] = [
      { time: '2026-11-22T10:00:00Z', phase: 'Progressing', weight: 10 },
      { time: '2026-11-22T10:00:45Z', phase: 'Progressing', weight: 20 },
    ];
    expect(weightPoints(shopRollout(waiting), observed)).toEqual([
      { time: '2026-11-22T10:00:00Z', weight: 10 },
      { time: '2026-11-22T10:00:30Z', weight: 10 },
      { time: '2026-11-22T10:00:45Z', weight: 20 },
      { time: '2026-11-22T10:01:00Z', weight: 20 },
    ]);
  });

  it("offers the buttons the plugin's rules allow, and says why the others have nothing to act on", () => {
    const withGate = shopRollout(waiting, { analysis: { interval: '30s', threshold: 3, webhooks: [manualGate] } });
    const actions = Object.fromEntries(detailOf({ rollout: withGate, events: [], eventsError: null, observed: [] }).actions.map((a) => [a.action, a]));
    expect(actions['approve']).toMatchObject({ available: true, reason: null });
    expect(actions['abort']).toMatchObject({ available: true });
    expect(actions['retry']).toMatchObject({ available: false, reason: 'nothing to retry: podinfo is WaitingPromotion; retry releases a Failed revision again' });
    expect(actions['pause']).toMatchObject({ available: true });
    expect(actions['resume']).toMatchObject({ available: false, reason: 'not paused (spec.suspend is false)' });
    const approved = shopRollout({ ...waiting, approval: { revision: REV_NEW, by: 'bob', at: '2026-11-22T10:02:00Z' } }, { analysis: { interval: '30s', threshold: 3, webhooks: [manualGate] } });
    const again = detailOf({ rollout: approved, events: [], eventsError: null, observed: [] }).actions.find((a) => a.action === 'approve');
    expect(again?.reason).toMatch(/already approved \(by bob/);
  });
});
