import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../src/api/duration.js';
import { canarySteps, nextCanaryWeight, nextPromotionWeight } from '../../src/domain/steps.js';

describe('canarySteps', () => {
  it('steps by stepWeight up to maxWeight', () => expect(canarySteps({ stepWeight: 10, maxWeight: 50 })).toEqual([10, 20, 30, 40, 50]));
  it('ends on maxWeight when it is not a multiple of stepWeight', () => expect(canarySteps({ stepWeight: 20, maxWeight: 50 })).toEqual([20, 40, 50]));
  it('uses stepWeights as given', () => expect(canarySteps({ stepWeights: [1, 5, 50] })).toEqual([1, 5, 50]));
  it('defaults to 10 up to 100, as the CRD documents', () => expect(canarySteps({})).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]));
  it('finds the next weight and none after the last', () => {
    expect(nextCanaryWeight({ stepWeights: [5, 50] }, 5)).toBe(50);
    expect(nextCanaryWeight({ stepWeights: [5, 50] }, 50)).toBeUndefined();
  });
  it('shifts promotion weight gradually or at once', () => {
    expect(nextPromotionWeight(20, 50)).toBe(30);
    expect(nextPromotionWeight(20, 10)).toBe(0);
    expect(nextPromotionWeight(undefined, 50)).toBe(0);
  });
});

describe('durations', () => {
  it.each([
    ['1m', 60_000],
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['250ms', 250],
    ['1h', 3_600_000],
    ['1.5s', 1500],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', '1', 'm', '1d', '-1s', '1s ', 'abc'])('rejects %j', (text) => expect(parseDuration(text)).toBeUndefined());
});
