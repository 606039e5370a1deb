import { describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../src/api/types.gen.js';
import { failedMetric, judgeMetric } from '../../src/analysis/verdict.js';
import type { QueryOutcome } from '../../src/metrics/provider.js';

const now = new Date('2025-01-02T03:04:05.000Z');
const time = now.toISOString();
const successRate: MetricSpec = { name: 'request-success-rate', thresholdRange: { min: 99 } };
const duration: MetricSpec = { name: 'request-duration', thresholdRange: { max: 500 } };
const value = (v: number): QueryOutcome => ({ kind: 'value', value: v });

describe('judgeMetric: absolute thresholds', () => {
  it('passes a value inside the range and records the evidence', () => {
    expect(judgeMetric({ metric: successRate, canary: value(99.7), now })).toEqual({
      name: 'request-success-rate',
      value: 99.7,
      thresholdRange: { min: 99 },
      passed: true,
      message: 'request-success-rate 99.7 >= 99 (min)',
      time,
    });
  });

  it('fails a value below min', () => {
    const result = judgeMetric({ metric: successRate, canary: value(91.2), now });
    expect(result).toMatchObject({ passed: false, value: 91.2, message: 'request-success-rate 91.2 < 99 (min)' });
  });

  it('fails a value above max, with the unit', () => {
    const result = judgeMetric({ metric: duration, canary: value(612.345), unit: 'ms', now });
    expect(result).toMatchObject({ passed: false, message: 'request-duration 612.35 ms > 500 ms (max)' });
  });

  it('passes the bounds themselves', () => {
    expect(judgeMetric({ metric: successRate, canary: value(99), now }).passed).toBe(true);
    expect(judgeMetric({ metric: duration, canary: value(500), now }).passed).toBe(true);
  });

  it('judges both ends of a range', () => {
    const metric: MetricSpec = { name: 'm', thresholdRange: { min: 1, max: 10 } };
    expect(judgeMetric({ metric, canary: value(5), now }).message).toBe('m 5 within 1..10');
    expect(judgeMetric({ metric, canary: value(0.5), now })).toMatchObject({ passed: false, message: 'm 0.5 < 1 (min)' });
    expect(judgeMetric({ metric, canary: value(11), now })).toMatchObject({ passed: false, message: 'm 11 > 10 (max)' });
  });

  it('passes a metric without bounds, recording its value', () => {
    expect(judgeMetric({ metric: { name: 'm' }, canary: value(3), now })).toMatchObject({ passed: true, value: 3, message: 'm 3 (no bounds set)' });
  });
});

describe('judgeMetric: no evidence fails the check', () => {
  it('fails no data with the message users search for', () => {
    expect(judgeMetric({ metric: successRate, canary: { kind: 'no-data' }, now })).toEqual({
      name: 'request-success-rate',
      thresholdRange: { min: 99 },
      passed: false,
      message: 'no values found for request-success-rate: is the canary receiving traffic?',
      time,
    });
  });

  it.each([
    [{ kind: 'not-finite', value: NaN }, 'request-success-rate is NaN: no finite value to judge'],
    [{ kind: 'not-finite', value: Infinity }, 'request-success-rate is +Inf: no finite value to judge'],
    [{ kind: 'not-finite', value: -Infinity }, 'request-success-rate is -Inf: no finite value to judge'],
    [
      { kind: 'multiple-series', count: 2, series: [{ pod: 'a' }, { pod: 'b' }] },
      'request-success-rate returned 2 series where one was expected (aggregate with sum or avg): {"pod":"a"}, {"pod":"b"}',
    ],
    [
      { kind: 'query-error', errorType: 'bad_data', message: 'parse error at char 5', httpStatus: 400 },
      'request-success-rate query failed: bad_data: parse error at char 5',
    ],
    [
      { kind: 'unreachable', message: 'http://prom:9090 unreachable: ECONNREFUSED' },
      'request-success-rate not checked: http://prom:9090 unreachable: ECONNREFUSED',
    ],
    [{ kind: 'timeout', message: 'no answer within 10000 ms' }, 'request-success-rate not checked: query timed out (no answer within 10000 ms)'],
  ] satisfies [QueryOutcome, string][])('fails %o', (canary, message) => {
    const result = judgeMetric({ metric: successRate, canary, now });
    expect(result.passed).toBe(false);
    expect(result.message.startsWith(message)).toBe(true);
    // NaN and Inf cannot be written to status (JSON); the message carries them.
    expect(result.value).toBeUndefined();
  });

  it('fails a metric that could not be queried at all, with the given reason', () => {
    expect(failedMetric(successRate, 'MetricTemplate x/y not found', now)).toEqual({
      name: 'request-success-rate',
      thresholdRange: { min: 99 },
      passed: false,
      message: 'MetricTemplate x/y not found',
      time,
    });
  });
});

describe('judgeMetric: relative gates against the primary', () => {
  const latency = (maxIncrease: number | string): MetricSpec => ({
    name: 'request-duration',
    compare: { baseline: 'primary', maxIncrease },
  });
  const success = (maxDecrease: number | string): MetricSpec => ({
    name: 'request-success-rate',
    compare: { baseline: 'primary', maxDecrease },
  });

  it('fails a percentage increase over the bound, with both values', () => {
    const result = judgeMetric({ metric: latency('20%'), canary: value(312), primary: value(200), unit: 'ms', now });
    expect(result).toMatchObject({
      passed: false,
      value: 312,
      primaryValue: 200,
      message: 'request-duration 312 ms is 56% above primary 200 ms (max +20%)',
    });
  });

  it('passes a percentage increase within the bound, and on the bound', () => {
    expect(judgeMetric({ metric: latency('20%'), canary: value(210), primary: value(200), unit: 'ms', now })).toMatchObject({
      passed: true,
      message: 'request-duration 210 ms is 5% above primary 200 ms (max +20%)',
    });
    expect(judgeMetric({ metric: latency('20%'), canary: value(120), primary: value(100), now }).passed).toBe(true);
  });

  it('passes a canary that improves on the primary under an increase bound', () => {
    expect(judgeMetric({ metric: latency('20%'), canary: value(100), primary: value(200), unit: 'ms', now })).toMatchObject({
      passed: true,
      message: 'request-duration 100 ms is 50% below primary 200 ms (max +20%)',
    });
  });

  it('judges an absolute increase (number or numeric string)', () => {
    expect(judgeMetric({ metric: latency(50), canary: value(260), primary: value(200), unit: 'ms', now })).toMatchObject({
      passed: false,
      message: 'request-duration 260 ms is 60 ms above primary 200 ms (max +50 ms)',
    });
    expect(judgeMetric({ metric: latency('50'), canary: value(240), primary: value(200), unit: 'ms', now }).passed).toBe(true);
  });

  it('fails an absolute decrease over the bound ("0.5" points of success rate)', () => {
    expect(judgeMetric({ metric: success('0.5'), canary: value(97.1), primary: value(99.5), now })).toMatchObject({
      passed: false,
      value: 97.1,
      primaryValue: 99.5,
      message: 'request-success-rate 97.1 is 2.4 below primary 99.5 (max -0.5)',
    });
    expect(judgeMetric({ metric: success(0.5), canary: value(99.2), primary: value(99.5), now }).passed).toBe(true);
  });

  it('judges a percentage decrease', () => {
    expect(judgeMetric({ metric: success('10%'), canary: value(80), primary: value(100), now })).toMatchObject({
      passed: false,
      message: 'request-success-rate 80 is 20% below primary 100 (max -10%)',
    });
    expect(judgeMetric({ metric: success('10%'), canary: value(95), primary: value(100), now }).passed).toBe(true);
  });

  it('applies the bound of the direction the canary moved when both are set', () => {
    const metric: MetricSpec = { name: 'm', compare: { baseline: 'primary', maxIncrease: '10%', maxDecrease: '1' } };
    expect(judgeMetric({ metric, canary: value(105), primary: value(100), now })).toMatchObject({
      passed: true,
      message: 'm 105 is 5% above primary 100 (max +10%, max -1)',
    });
    expect(judgeMetric({ metric, canary: value(98), primary: value(100), now })).toMatchObject({
      passed: false,
      message: 'm 98 is 2 below primary 100 (max +10%, max -1)',
    });
    expect(judgeMetric({ metric, canary: value(100), primary: value(100), now })).toMatchObject({
      passed: true,
      message: 'm 100 equals primary 100 (max +10%, max -1)',
    });
  });

  it('fails any increase over a primary of zero under a percentage bound', () => {
    expect(judgeMetric({ metric: latency('20%'), canary: value(5), primary: value(0), unit: 'ms', now })).toMatchObject({
      passed: false,
      message: 'request-duration 5 ms is 5 ms above primary 0 ms (max +20%)',
    });
  });

  it('requires both the absolute range and the relative gate to pass', () => {
    const metric: MetricSpec = { name: 'request-duration', thresholdRange: { max: 500 }, compare: { baseline: 'primary', maxIncrease: '20%' } };
    // A canary 50% slower than primary, still under the absolute bound: the relative gate fails it.
    const slower = judgeMetric({ metric, canary: value(300), primary: value(200), unit: 'ms', now });
    expect(slower).toMatchObject({ passed: false, message: 'request-duration 300 ms is 50% above primary 200 ms (max +20%)' });
    // Close to primary but over the absolute bound: the range fails it.
    const slow = judgeMetric({ metric, canary: value(600), primary: value(550), unit: 'ms', now });
    expect(slow).toMatchObject({ passed: false, message: 'request-duration 600 ms > 500 ms (max)' });
    // Both failing: both are named.
    const both = judgeMetric({ metric, canary: value(900), primary: value(550), unit: 'ms', now });
    expect(both.message).toBe('request-duration 900 ms > 500 ms (max); request-duration 900 ms is 64% above primary 550 ms (max +20%)');
    const fine = judgeMetric({ metric, canary: value(210), primary: value(200), unit: 'ms', now });
    expect(fine).toMatchObject({
      passed: true,
      thresholdRange: { max: 500 },
      message: 'request-duration 210 ms <= 500 ms (max); request-duration 210 ms is 5% above primary 200 ms (max +20%)',
    });
  });

  it('fails without a usable primary value, saying why', () => {
    expect(judgeMetric({ metric: latency('20%'), canary: value(200), primary: { kind: 'no-data' }, now })).toMatchObject({
      passed: false,
      value: 200,
      message: 'no values found for request-duration on the primary: is the primary receiving traffic?',
    });
    expect(judgeMetric({ metric: latency('20%'), canary: value(200), primary: { kind: 'not-finite', value: NaN }, now }).message).toMatch(
      /^request-duration on the primary is NaN/,
    );
    expect(judgeMetric({ metric: latency('20%'), canary: value(200), now }).passed).toBe(false);
  });

  it('fails an unparseable bound, naming the field', () => {
    expect(judgeMetric({ metric: latency('fast'), canary: value(200), primary: value(200), now })).toMatchObject({
      passed: false,
      message: 'request-duration: compare.maxIncrease "fast" is not a number; use a percentage like "20%" or an amount like 0.5',
    });
  });
});
