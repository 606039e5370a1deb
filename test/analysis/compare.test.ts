import { describe, expect, it } from 'vitest';
import { parseCompareBound, parseComparison } from '../../src/analysis/compare.js';

describe('parseCompareBound', () => {
  it.each([
    ['20%', { kind: 'percent', amount: 20 }],
    [' 12.5 % ', { kind: 'percent', amount: 12.5 }],
    ['.5%', { kind: 'percent', amount: 0.5 }],
    ['0.5', { kind: 'absolute', amount: 0.5 }],
    ['5', { kind: 'absolute', amount: 5 }],
    [5, { kind: 'absolute', amount: 5 }],
    [0, { kind: 'absolute', amount: 0 }],
  ] as const)('reads %o', (raw, bound) => {
    expect(parseCompareBound(raw)).toEqual({ ok: true, bound });
  });

  it.each(['', 'fast', '-5', '-5%', '5%%', '%'])('refuses %o', (raw) => {
    expect(parseCompareBound(raw).ok).toBe(false);
  });

  it('refuses a negative or non-finite number', () => {
    expect(parseCompareBound(-1)).toEqual({ ok: false, message: '-1 is negative; the direction is in the field name' });
    expect(parseCompareBound(Infinity).ok).toBe(false);
  });
});

describe('parseComparison', () => {
  it('parses both bounds', () => {
    expect(parseComparison({ baseline: 'primary', maxIncrease: '20%', maxDecrease: 1 })).toEqual({
      ok: true,
      bounds: { maxIncrease: { kind: 'percent', amount: 20 }, maxDecrease: { kind: 'absolute', amount: 1 } },
    });
  });

  it('names the invalid field', () => {
    expect(parseComparison({ baseline: 'primary', maxDecrease: 'x' })).toMatchObject({
      ok: false,
      message: expect.stringMatching(/^compare\.maxDecrease "x" is not a number/) as unknown,
    });
  });
});
