import { describe, expect, it } from 'vitest';
import type { GateResult, MetricResult } from '../../src/api/types.gen.js';
import { STATUS_LIMITS } from '../../src/api/schema/limits.js';
import { decide } from '../../src/domain/decide/decide.js';
import { cut, fitStatus } from '../../src/domain/fit.js';
import { NOW, input, releasing } from './fixtures.js';

const result = (name: string, message: string): MetricResult => ({ name, passed: false, message, time: NOW.toISOString() });

describe('fitStatus', () => {
  it('keeps what fits, and cuts a longer text to its limit with a marker counting what was cut', () => {
    expect(cut('short', 10)).toBe('short');
    const long = cut('a'.repeat(5000), 4096);
    expect(long).toHaveLength(4096);
    expect(long).toMatch(/^a+ … \(\d+ more characters cut\)$/);
    const [, left] = /\((\d+) more/.exec(long) ?? [];
    expect(Number(left) + long.indexOf(' …')).toBe(5000);
  });

  it('cuts every message to its field and keeps one list entry per name, at most the CRD allows', () => {
    const analysis = [...Array.from({ length: 30 }, (_, i) => result(`m${i}`, 'x'.repeat(10_000))), result('m0', 'a second m0')];
    const gates: GateResult[] = [{ name: 'g', type: 'rollback', open: false, message: 'y'.repeat(2000), time: NOW.toISOString() }];
    const fitted = fitStatus({ message: 'z'.repeat(100_000), analysis, gates });
    expect(fitted.message).toHaveLength(STATUS_LIMITS.message);
    expect(fitted.analysis).toHaveLength(STATUS_LIMITS.listItems);
    expect(fitted.analysis?.every((r) => r.message.length === STATUS_LIMITS.resultMessage)).toBe(true);
    expect(fitted.analysis?.filter((r) => r.name === 'm0')).toHaveLength(1);
    expect(fitted.gates?.[0]?.message).toHaveLength(STATUS_LIMITS.gateMessage);
  });

  it('is applied to every decision, and a cut message on record is the same message: its Event is not told again', () => {
    const problems = [`spec.service.port: ${'p'.repeat(40_000)}`];
    const first = decide(input(releasing(0), {}, { problems }));
    expect(first.status.message).toHaveLength(STATUS_LIMITS.message);
    expect(first.events.map((e) => e.reason)).toEqual(['InvalidSpec']);
    const again = decide(input(first.status, {}, { problems }));
    expect(again.events).toEqual([]);
    expect(again.status.conditions?.find((c) => c.type === 'Invalid')?.lastTransitionTime).toBe(first.status.conditions?.find((c) => c.type === 'Invalid')?.lastTransitionTime);
  });
});
