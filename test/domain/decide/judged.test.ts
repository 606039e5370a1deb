import { describe, expect, it } from 'vitest';
import type { MetricResult, MetricSpec } from '../../../src/api/types.gen.js';
import { decide } from '../../../src/domain/decide/decide.js';
import type { AnalysisVerdict } from '../../../src/domain/model.js';
import { NOW, input, releasing, spec } from '../fixtures.js';

const judged = (promoteEarly: boolean): MetricSpec => ({ name: 'request-success-rate', judge: { test: 'errorRate', alpha: 0.01, margin: '20%', promoteEarly } });
const latency: MetricSpec = { name: 'request-duration', judge: { test: 'latency', promoteEarly: true } };
const threshold: MetricSpec = { name: 'cpu', query: 'vector(1)', thresholdRange: { max: 2 } };

function result(name: string, conclusion: MetricResult['conclusion'], extra: Partial<MetricResult> = {}): MetricResult {
  const passed = conclusion !== 'worse';
  const judged = conclusion ? { conclusion, eValue: conclusion === 'worse' ? 250 : 1.5 } : {};
  return { name, passed, ...judged, value: 0.4, primaryValue: 0.3, message: `${name}: ${conclusion ?? 'threshold'}`, time: NOW.toISOString(), ...extra };
}

function verdict(...results: MetricResult[]): AnalysisVerdict {
  const failed = results.filter((r) => !r.passed);
  return { passed: failed.length === 0, results, reason: failed.map((r) => r.message).join('; ') };
}

describe('decide: the sequential judge', () => {
  it('rolls back at once when a judged metric finds the canary worse, not after threshold failed checks', () => {
    const d = decide({ ...input(releasing(20), {}, { verdict: verdict(result('request-success-rate', 'worse')) }), spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(false)] } }) });
    expect(d.status.phase).toBe('Failed');
    expect(d.status.canaryWeight).toBe(0);
    expect(d.status.message).toBe('rolled back: request-success-rate: worse');
    expect(d.safeRoutes).toEqual([expect.objectContaining({ type: 'setRoutes' })]);
  });

  it('counts a failed threshold metric as before when the judge has not found the canary worse', () => {
    const failedThreshold = result('cpu', undefined, { passed: false, message: 'cpu 3 > 2 (max)' });
    const d = decide({
      ...input(releasing(20), {}, { verdict: verdict(result('request-success-rate', 'unknown'), failedThreshold) }),
      spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(false), threshold] } }),
    });
    expect(d.status).toMatchObject({ phase: 'Progressing', failedChecks: 1, canaryWeight: 20 });
  });

  it('promotes early when every judged metric that allows it says not worse', () => {
    const d = decide({
      ...input(releasing(10), {}, { verdict: verdict(result('request-success-rate', 'not-worse'), result('request-duration', 'not-worse'), result('cpu', undefined)) }),
      spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(true), latency, threshold] } }),
    });
    expect(d.status.phase).toBe('Promoting');
    expect(d.status.message).toBe('promoting early: request-success-rate: not-worse; request-duration: not-worse');
    expect(d.actions).toContainEqual(expect.objectContaining({ type: 'promotePrimary' }));
  });

  it('promotes early on the metrics that allow it, not held back by a judged metric that does not', () => {
    const d = decide({
      ...input(releasing(10), {}, { verdict: verdict(result('request-success-rate', 'unknown'), result('request-duration', 'not-worse')) }),
      spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(false), latency] } }),
    });
    expect(d.status.phase).toBe('Promoting');
    expect(d.status.message).toBe('promoting early: request-duration: not-worse');
  });

  it('steps on when a metric that allows early promotion does not yet know, or none allows it', () => {
    const oneUnknown = decide({
      ...input(releasing(10), {}, { verdict: verdict(result('request-success-rate', 'not-worse'), result('request-duration', 'unknown')) }),
      spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(true), latency] } }),
    });
    expect(oneUnknown.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
    const notAllowed = decide({
      ...input(releasing(10), {}, { verdict: verdict(result('request-success-rate', 'not-worse')) }),
      spec: spec({ analysis: { interval: '1m', threshold: 5, metrics: [judged(false)] } }),
    });
    expect(notAllowed.status).toMatchObject({ phase: 'Progressing', canaryWeight: 20 });
  });
});

describe('decide: the evidence kept per metric', () => {
  const metrics = [judged(false)];
  const check = (weight: number, before: MetricResult[], value: number, historyLimit?: number): MetricResult[] => {
    const analysis = { interval: '1m', threshold: 5, metrics, ...(historyLimit === undefined ? {} : { historyLimit }) };
    const d = decide({ ...input(releasing(weight, { analysis: before }), {}, { verdict: verdict(result('request-success-rate', 'unknown', { value })) }), spec: spec({ analysis }) });
    return d.status.analysis ?? [];
  };

  it('keeps the earlier results of the release behind the latest, each with the weight it was measured at', () => {
    const first = check(10, [], 0.5);
    expect(first).toEqual([expect.objectContaining({ value: 0.5, weight: 10 })]);
    expect(first[0]?.history).toBeUndefined();
    const second = check(20, first, 0.7);
    expect(second[0]).toMatchObject({ value: 0.7, weight: 20, history: [{ value: 0.5, weight: 10, passed: true, conclusion: 'unknown', eValue: 1.5, primaryValue: 0.3, time: NOW.toISOString() }] });
  });

  it('keeps at most historyLimit measurements, the newest, and none at 0', () => {
    let analysis: MetricResult[] = [];
    for (let i = 1; i <= 6; i++) analysis = check(10, analysis, i, 3);
    expect(analysis[0]?.history?.map((m) => m.value)).toEqual([3, 4, 5]);
    expect(check(10, analysis, 7, 0)[0]?.history).toBeUndefined();
  });

  it('starts a new release with no history', () => {
    const d = decide({ ...input(releasing(30, { analysis: check(10, [], 0.5), lastAppliedSpec: 'older' }), {}, {}), spec: spec({ analysis: { interval: '1m', threshold: 5, metrics } }) });
    expect(d.status.analysis ?? []).toEqual([]);
    expect(d.status.releaseStartTime).toBe(NOW.toISOString());
  });
});
