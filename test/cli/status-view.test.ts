import { describe, expect, it } from 'vitest';
import type { MetricMeasurement, MetricResult } from '../../src/api/types.gen.js';
import { sparkline } from '../../src/cli/sparkline.js';
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
    expect(lines[lines.indexOf('Metrics:') + 6]).toBe('Message:  advanced canary weight to 20%');
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

describe('the sparkline', () => {
  it('draws the eight heights between the smallest and the largest value', () => {
    expect(sparkline([1, 2, 3, 4, 5, 6, 7, 8])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([80, 70, 60, 50, 40, 30, 20, 10])).toBe('█▇▆▅▄▃▂▁');
    expect(sparkline([0, 10, 5, 1])).toBe('▁█▅▂');
    expect(sparkline([-3, 3])).toBe('▁█');
  });

  it('draws equal values, and a single one, as a flat line at mid height', () => {
    expect(sparkline([99.5, 99.5, 99.5])).toBe('▄▄▄');
    expect(sparkline([42])).toBe('▄');
    expect(sparkline([0, undefined, 0])).toBe('▄·▄');
  });

  it('marks a missing value with a dot and scales the others without it', () => {
    expect(sparkline([1, undefined, 3, 2])).toBe('▁·█▅');
    expect(sparkline([undefined, undefined])).toBe('··');
    expect(sparkline([])).toBe('');
  });

  it('treats NaN and the infinities as missing rather than stretching the scale', () => {
    expect(sparkline([1, Number.NaN, Infinity, -Infinity, 8])).toBe('▁···█');
    expect(sparkline([Number.NaN])).toBe('·');
  });
});

const at = (minute: number): string => `2026-11-22T10:${String(minute).padStart(2, '0')}:00Z`;

/** A judged request-success-rate five checks into the release, rolled back at the sixth. */
const judgedErrors: MetricResult = {
  name: 'request-success-rate',
  value: 2.1,
  primaryValue: 0.4,
  passed: false,
  conclusion: 'worse',
  eValue: 104,
  message: 'request-success-rate: canary errors 2.1% vs primary 0.4%: worse than the primary by more than 20%, p≤0.0096',
  time: at(5),
  weight: 30,
  history: [
    { time: at(0), weight: 10, value: 0.4, primaryValue: 0.4, passed: true, conclusion: 'unknown', eValue: 1 },
    { time: at(1), weight: 10, value: 0.9, primaryValue: 0.4, passed: true, conclusion: 'unknown', eValue: 2.5 },
    { time: at(2), weight: 20, passed: false },
    { time: at(3), weight: 20, value: 1.6, primaryValue: 0.4, passed: true, conclusion: 'unknown', eValue: 20 },
    { time: at(4), weight: 20, value: 1.9, primaryValue: 0.4, passed: true, conclusion: 'unknown', eValue: 60 },
  ],
};

function metricsAndHistory(analysis: MetricResult[]): string[] {
  const lines = renderStatus(shopRollout({ ...progressing, analysis }));
  return lines.slice(lines.indexOf('Metrics:'), lines.indexOf('Message:  advanced canary weight to 20%'));
}

function measurements(values: readonly (number | undefined)[]): MetricMeasurement[] {
  return values.map((value, i) => ({ time: at(i), weight: 10 * (1 + Math.floor(i / 4)), passed: true, ...(value === undefined ? {} : { value }) }));
}

describe("the status view of each metric's history", () => {
  it("shows a judged metric's values this release, its verdict in words, and the weight of each value", () => {
    expect(metricsAndHistory([judgedErrors])).toEqual([
      'Metrics:',
      '  NAME                   VALUE   BOUND         HISTORY      RESULT',
      '  request-success-rate   2.1     primary 0.4   ▁▃·▆▇█ (6)   canary errors 2.1% vs primary 0.4%: worse than the primary by more than 20%, p≤0.0096',
      'History:',
      '  request-success-rate   10%→0.4 10%→0.9 20%→· 20%→1.6 20%→1.9 30%→2.1',
    ]);
  });

  it('shows a judged metric that passed by its verdict in words, not as a bare "passed"', () => {
    const notWorse = { ...judgedErrors, value: 0.3, passed: true, conclusion: 'not-worse', message: 'request-success-rate: canary errors 0.3% vs primary 0.4%: not worse than the primary by 20%, p≤0.008' } as const;
    const unknown = { ...judgedErrors, name: 'request-duration', value: 310, primaryValue: 250, passed: true, conclusion: 'unknown', message: 'request-duration: not yet known (worse: p=0.4, not worse: p=1)' } as const;
    expect(metricsAndHistory([notWorse, unknown]).slice(1, 4)).toEqual([
      '  NAME                   VALUE   BOUND         HISTORY      RESULT',
      '  request-success-rate   0.3     primary 0.4   ▁▄·▇█▁ (6)   canary errors 0.3% vs primary 0.4%: not worse than the primary by 20%, p≤0.008',
      '  request-duration       310     primary 250   ▁▁·▁▁█ (6)   not yet known (worse: p=0.4, not worse: p=1)',
    ]);
  });

  it('adds no HISTORY column and no History lines when no metric has a history', () => {
    const threshold: MetricResult = { name: 'error-budget', value: 0.2, thresholdRange: { max: 1 }, passed: true, message: 'ok', time: at(5) };
    expect(metricsAndHistory([threshold, { ...threshold, name: 'kept-but-first', history: [] }])).toEqual([
      'Metrics:',
      '  NAME             VALUE   BOUND   RESULT',
      '  error-budget     0.2     <= 1    passed',
      '  kept-but-first   0.2     <= 1    passed',
    ]);
  });

  it('shows a metric measured once beside one with a history as a single mark, and one earlier measurement as two', () => {
    const lines = metricsAndHistory([
      { name: 'new-metric', value: 7, thresholdRange: { max: 10 }, passed: true, message: 'ok', time: at(5) },
      { name: 'error-budget', value: 0.5, thresholdRange: { max: 1 }, passed: true, message: 'ok', time: at(5), history: measurements([0.2]) },
      { name: 'no-data', thresholdRange: { max: 1 }, passed: false, message: 'no values found for no-data', time: at(5), history: [{ time: at(4), passed: false }] },
    ]);
    expect(lines).toEqual([
      'Metrics:',
      '  NAME           VALUE     BOUND   HISTORY   RESULT',
      '  new-metric     7         <= 10   ▄ (1)     passed',
      '  error-budget   0.5       <= 1    ▁█ (2)    passed',
      '  no-data        no data   <= 1    ·· (2)    failed: no values found for no-data',
      'History:',
      '  error-budget   10%→0.2 ?%→0.5',
      '  no-data        ?%→· ?%→·',
    ]);
  });

  it('keeps a long history within the width of a terminal, the newest values last', () => {
    const values = Array.from({ length: 20 }, (_, i) => 100 + i * 5);
    const lines = metricsAndHistory([{ name: 'request-duration', value: 200, primaryValue: 250, passed: true, message: 'ok', time: at(20), history: measurements(values) }]);
    expect(lines[2]).toContain('   ▁▁▂▂▂▃▃▃▄▄▅▅▅▆▆▆▇▇▇██ (21)   passed');
    const history = lines.at(-1)!;
    expect(history.length).toBeLessThanOrEqual(100);
    expect(history).toBe('  request-duration   … 40%→160 40%→165 40%→170 40%→175 50%→180 50%→185 50%→190 50%→195 ?%→200');
  });

  it('draws at most a whole history and the current value from a status longer than the schema allows', () => {
    const lines = metricsAndHistory([{ name: 'request-duration', value: 1, passed: true, message: 'ok', time: at(59), history: measurements(Array.from({ length: 40 }, () => 1)) }]);
    expect(lines[2]).toContain(`   ${'▄'.repeat(21)} (41)   passed`);
    expect(lines.at(-1)!.length).toBeLessThanOrEqual(100);
  });
});
