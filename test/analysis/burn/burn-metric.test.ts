import { describe, expect, it } from 'vitest';
import { judgeBurn } from '../../../src/analysis/burn/burn-metric.js';
import { QueryOutcomeKind, type RangeOutcome } from '../../../src/metrics/provider.js';

const now = new Date('2026-12-03T12:00:00Z');
const metric = { name: 'error-budget-burn', errorBudget: { objective: 99.9 } };

/** The built-in's counts query over `n` one-minute intervals: `requests` each, `errors` of them 5xx. */
function counts(n: number, requests: number, errors: number): RangeOutcome {
  const times = Array.from({ length: n }, (_, i) => 60 * (i + 1));
  return {
    kind: 'series',
    series: [
      { labels: { count: 'requests' }, points: times.map((t) => [t, requests] as const) },
      ...(errors ? [{ labels: { count: 'errors' }, points: times.map((t) => [t, errors] as const) }] : []),
    ],
  };
}

describe('judgeBurn: the error-budget-burn verdict, with the windows and burn rates as evidence', () => {
  it('fails a canary burning 20× for 10 minutes, naming both windows of each pair, the clipping and how long the budget lasts', () => {
    const result = judgeBurn(metric, counts(10, 1000, 20), 60, now);
    expect(result).toEqual({
      name: 'error-budget-burn',
      time: now.toISOString(),
      value: 20,
      passed: false,
      message:
        'error-budget-burn (objective 99.9%): 20× over 1h (10m so far) and 20× over 5m, both above 14.4×; ' +
        '20× over 6h (10m so far) and 20× over 30m (10m so far), both above 6×; at 20× the 30d budget lasts 36h',
    });
  });

  it('passes a canary burning 0.5×, with every window\'s burn in the message', () => {
    const result = judgeBurn(metric, counts(10, 2000, 1), 60, now);
    expect(result.passed).toBe(true);
    expect(result.value).toBe(0.5);
    expect(result.message).toBe(
      'error-budget-burn (objective 99.9%): 0.5× over 1h (10m so far) / 0.5× over 5m (fails above 14.4× on both); 0.5× over 6h (10m so far) / 0.5× over 30m (10m so far) (fails above 6× on both)',
    );
  });

  it('passes no errors at all (no errors series) as 0×', () => {
    expect(judgeBurn(metric, counts(3, 100, 0), 60, now)).toMatchObject({ passed: true, value: 0 });
  });

  it('fails without a request to the canary: no evidence, no step', () => {
    expect(judgeBurn(metric, counts(3, 0, 0), 60, now)).toMatchObject({ passed: false, message: 'error-budget-burn: no requests reached the canary yet: is it receiving traffic?' });
    expect(judgeBurn(metric, { kind: 'series', series: [] }, 60, now).passed).toBe(false);
  });

  it('fails on a query that failed, in the words every check uses', () => {
    const failed = judgeBurn(metric, { kind: QueryOutcomeKind.Unreachable, message: 'http://prom:9090 unreachable: ECONNREFUSED' }, 60, now);
    expect(failed).toMatchObject({ passed: false, message: 'error-budget-burn not checked: http://prom:9090 unreachable: ECONNREFUSED' });
  });
});
