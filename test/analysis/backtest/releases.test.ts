import { describe, expect, it } from 'vitest';
import { checksPerRelease, replayReleases } from '../../../src/analysis/backtest/releases.js';
import type { MetricResult, RolloutSpec } from '../../../src/api/types.gen.js';

const spec = (strategy: RolloutSpec['strategy'], metrics: RolloutSpec['analysis'] = {}): RolloutSpec => ({
  targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
  service: { port: 9898 },
  strategy,
  analysis: metrics,
});
const canary = spec({ canary: { stepWeights: [25, 50, 100] } });
const result = (passed: boolean, extra: Pick<MetricResult, 'conclusion' | 'message'> | Pick<MetricResult, 'conclusion'> = {}): MetricResult => ({ name: 'request-success-rate', passed, message: passed ? 'ok' : 'rate 95 < 99 (min)', time: '2026-12-03T12:00:00.000Z', ...extra });
/** Checks every 60 s from 60 to 60·n, failing at the given times. */
const times = (n: number): number[] => Array.from({ length: n }, (_, i) => 60 * (i + 1));

describe('checksPerRelease: the passed checks a release needs to promote', () => {
  it('is the number of canary weights, or the iterations of blue/green and A/B', () => {
    expect(checksPerRelease(canary)).toBe(3);
    expect(checksPerRelease(spec({ canary: { stepWeight: 20, maxWeight: 60 } }))).toBe(3);
    expect(checksPerRelease(spec({ blueGreen: { iterations: 4 } }))).toBe(4);
    expect(checksPerRelease(spec({ abTesting: { match: [] } }))).toBe(10);
  });
});

describe('replayReleases: releases back to back, bookkept as decide() does', () => {
  it('promotes after the last step and starts the next release there', () => {
    const replay = replayReleases(canary, 0, times(6), { checksPerRelease: 3, threshold: 2 }, () => [result(true)]);
    expect(replay.promoted).toBe(2);
    expect(replay.checks.map((c) => c.releaseStart)).toEqual([0, 0, 0, 180, 180, 180]);
  });

  it('rolls back when the release\'s failed checks reach the threshold, failures apart or not, with the status\' reason', () => {
    const failing = new Set([120, 240]);
    const replay = replayReleases(canary, 0, times(6), { checksPerRelease: 3, threshold: 2 }, (at) => [result(!failing.has(at))]);
    expect(replay.rollbacks).toEqual([{ at: 240, releaseStart: 0, failedChecks: 2, reason: '2 failed checks (rate 95 < 99 (min))', results: [result(false)] }]);
    // A failed check holds the weight: the release had passed 2 of 3 steps when it was rolled back.
    expect(replay.checks.map((c) => c.failedChecks)).toEqual([0, 1, 1, 2, 0, 0]);
    expect(replay.checks[4]?.releaseStart).toBe(240);
  });

  it('rolls back at once when the judge finds the canary worse', () => {
    const worse = result(false, { conclusion: 'worse', message: 'canary errors 5% vs primary 0.1%: worse' });
    const replay = replayReleases(canary, 0, times(2), { checksPerRelease: 3, threshold: 5 }, (at) => [at === 60 ? worse : result(true)]);
    expect(replay.rollbacks).toMatchObject([{ at: 60, failedChecks: 1, reason: 'canary errors 5% vs primary 0.1%: worse' }]);
  });

  it('promotes early when every judged metric with promoteEarly says not worse', () => {
    const judged = spec({ canary: { stepWeights: [10, 20, 30, 40] } }, { metrics: [{ name: 'request-success-rate', judge: { test: 'errorRate', promoteEarly: true } }] });
    const replay = replayReleases(judged, 0, times(3), { checksPerRelease: 4, threshold: 5 }, (at) => [result(true, { conclusion: at === 120 ? 'not-worse' : 'unknown' })]);
    expect(replay.promoted).toBe(1);
    expect(replay.checks.map((c) => c.releaseStart)).toEqual([0, 0, 120]);
  });
});
