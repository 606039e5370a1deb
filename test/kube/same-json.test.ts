import { describe, expect, it } from 'vitest';
import { sameJson } from '../../src/kube/same-json.js';
import { stableJson } from '../../src/workload/revision.js';

describe('sameJson', () => {
  const cases: [string, unknown, unknown][] = [
    ['equal objects in another key order', { a: 1, b: { c: [1, 2], d: 'x' } }, { b: { d: 'x', c: [1, 2] }, a: 1 }],
    ['an undefined key and a missing one', { a: 1, b: undefined }, { a: 1 }],
    ['a Date and its ISO text', { at: new Date('2026-01-02T03:04:05.000Z') }, { at: '2026-01-02T03:04:05.000Z' }],
    ['an undefined array element and null', [undefined, 1], [null, 1]],
    ['different values', { a: 1 }, { a: 2 }],
    ['an extra key', { a: 1 }, { a: 1, b: 2 }],
    ['arrays in another order', [1, 2], [2, 1]],
    ['an object and an array', {}, []],
    ['null and an object', null, {}],
    ['a number and its text', 1, '1'],
  ];
  it.each(cases)('answers as stableJson does for %s', (_name, a, b) => {
    expect(sameJson(a, b)).toBe(stableJson(a) === stableJson(b));
    expect(sameJson(b, a)).toBe(stableJson(a) === stableJson(b));
  });
});
