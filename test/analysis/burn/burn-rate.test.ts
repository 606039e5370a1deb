import { describe, expect, it } from 'vitest';
import { burnRates, burnRulesOf, type BurnRule, type IntervalCounts } from '../../../src/analysis/burn/burn-rate.js';

const MINUTE = 60_000;
/** `n` one-minute intervals of `requests` each, `errors` of them 5xx. */
const minutes = (n: number, requests: number, errors: number): IntervalCounts[] => Array.from({ length: n }, () => ({ requests, errors }));
const rules = (): BurnRule[] => {
  const read = burnRulesOf({ objective: 99.9 });
  if (typeof read === 'string') throw new Error(read);
  return read;
};

describe('burnRulesOf: the workbook pairs for the period, or the spec\'s windows', () => {
  it('defaults to 1h/5m at 14.4× and 6h/30m at 6× for a 30-day period', () => {
    expect(burnRulesOf({ objective: 99.9 })).toEqual([
      { long: '1h', short: '5m', longMs: 60 * MINUTE, shortMs: 5 * MINUTE, burnRate: 14.4 },
      { long: '6h', short: '30m', longMs: 360 * MINUTE, shortMs: 30 * MINUTE, burnRate: 6 },
    ]);
  });

  it('scales the default burn rates with the period: the same 2% and 5% of a 7-day budget', () => {
    const seven = burnRulesOf({ objective: 99.9, period: '7d' });
    expect(typeof seven === 'string' ? seven : seven.map((r) => r.burnRate)).toEqual([3.36, 1.4]);
    const hours = burnRulesOf({ objective: 99.9, period: '168h' });
    expect(typeof hours === 'string' ? hours : hours.map((r) => r.burnRate)).toEqual([3.36, 1.4]);
  });

  it('takes the spec\'s windows as written', () => {
    expect(burnRulesOf({ objective: 99, windows: [{ long: '2h', short: '10m', burnRate: 3 }] })).toEqual([
      { long: '2h', short: '10m', longMs: 120 * MINUTE, shortMs: 10 * MINUTE, burnRate: 3 },
    ]);
  });

  it('names the period when it is not one', () => {
    expect(burnRulesOf({ objective: 99.9, period: '30 days' })).toBe('errorBudget.period "30 days" is not a period: write whole days (30d) or a duration (720h)');
  });
});

describe('burnRates: error ratio over each window / (1 - objective), both windows above the rate to fire', () => {
  it('fires both pairs when the canary fails 2% of requests for an hour against a 99.9% objective (burn 20×)', () => {
    const [fast, slow] = burnRates(minutes(60, 1000, 20), MINUTE, 99.9, rules());
    expect(fast).toMatchObject({ fires: true, long: { window: '1h', intervals: 60, clipped: false, burn: 20 }, short: { window: '5m', intervals: 5, burn: 20 } });
    // 6h is clipped to the release's hour, 30m is not.
    expect(slow).toMatchObject({ fires: true, long: { window: '6h', intervals: 60, clipped: true, spanMs: 60 * MINUTE }, short: { intervals: 30, clipped: false } });
    expect(fast?.long.burn).toBeCloseTo(20, 9);
  });

  it('does not fire when the burning stopped: the long window still burns 18.3× but the last 5 minutes burn none', () => {
    const [fast] = burnRates([...minutes(55, 1000, 20), ...minutes(5, 1000, 0)], MINUTE, 99.9, rules());
    expect(fast?.long.burn).toBeCloseTo(18.33, 2);
    expect(fast?.short.burn).toBe(0);
    expect(fast?.fires).toBe(false);
  });

  it('does not fire on a short spike: 5 minutes at 50× leave the hour at 4.2×, under both pairs\' rates', () => {
    const pairs = burnRates([...minutes(55, 1000, 0), ...minutes(5, 1000, 50)], MINUTE, 99.9, rules());
    expect(pairs.map((p) => [Number(p.long.burn.toFixed(2)), Number(p.short.burn.toFixed(2)), p.fires])).toEqual([
      [4.17, 50, false],
      [4.17, 8.33, false],
    ]);
  });

  it('fires only the slow pair on a steady 1% (10×): above 6×, below 14.4×', () => {
    const pairs = burnRates(minutes(400, 1000, 10), MINUTE, 99.9, rules());
    expect(pairs.map((p) => p.fires)).toEqual([false, true]);
    expect(pairs[1]?.long).toMatchObject({ intervals: 360, clipped: false });
  });

  it('does not fire exactly at the rate: the workbook\'s rule is "greater than"', () => {
    const [fast] = burnRates(minutes(60, 10_000, 144), MINUTE, 99.9, rules());
    expect(fast?.long.burn).toBeCloseTo(14.4, 9);
    expect(fast?.fires).toBe(false);
  });

  it('clips every window to a release 3 minutes old and rounds a window up to whole intervals', () => {
    const [fast] = burnRates(minutes(3, 100, 5), 2 * MINUTE, 99, [{ long: '1h', short: '3m', longMs: 60 * MINUTE, shortMs: 3 * MINUTE, burnRate: 2 }]);
    // 3m at a 2m interval is 2 intervals; the release has 3.
    expect(fast?.short).toMatchObject({ intervals: 2, clipped: false, spanMs: 4 * MINUTE, burn: 5 });
    expect(fast?.long).toMatchObject({ intervals: 3, clipped: true, spanMs: 6 * MINUTE, burn: 5 });
    expect(fast?.fires).toBe(true);
  });

  it('reads a window without requests as no burn', () => {
    const [fast] = burnRates([...minutes(55, 1000, 20), ...minutes(5, 0, 0)], MINUTE, 99.9, rules());
    expect(fast?.short).toMatchObject({ requests: 0, burn: 0 });
    expect(fast?.fires).toBe(false);
  });
});
