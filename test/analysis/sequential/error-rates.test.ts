import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../devenv/sim/random.js';
import { addInterval, noEvidence, verdictOf, type ErrorCounts, type ErrorRateEvidence, type ErrorRateTest } from '../../../src/analysis/sequential/error-rates.js';

const TEST: ErrorRateTest = { alpha: 0.01, margin: 0.25 };
const counts = (canary: [number, number], primary: [number, number]): ErrorCounts => ({
  canary: { requests: canary[0], errors: canary[1] },
  primary: { requests: primary[0], errors: primary[1] },
});

function run(intervals: readonly ErrorCounts[]): ErrorRateEvidence {
  return intervals.reduce<ErrorRateEvidence>((evidence, c) => addInterval(evidence, c, TEST), noEvidence());
}


describe('the sequential error-rate test', () => {
  it('knows nothing before any error: both e-values 1', () => {
    const verdict = verdictOf(run([counts([100, 0], [900, 0])]), TEST);
    expect(verdict).toMatchObject({ kind: 'unknown', eWorse: 1, eNotWorse: 1, canaryRate: 0, primaryRate: 0 });
  });

  it('calls a canary failing 10x as often worse within a few intervals', () => {
    const intervals = Array.from({ length: 3 }, () => counts([1_000, 100], [9_000, 90]));
    const verdict = verdictOf(run(intervals), TEST);
    expect(verdict.kind).toBe('worse');
    expect(verdict.eWorse).toBeGreaterThan(1 / TEST.alpha);
    expect(verdict.canaryRate).toBeCloseTo(0.1);
  });

  it('calls an equal canary not worse once the evidence is enough, and never worse', () => {
    const evidence = run(Array.from({ length: 20 }, () => counts([10_000, 100], [10_000, 100])));
    const verdict = verdictOf(evidence, TEST);
    expect(verdict.kind).toBe('not-worse');
    expect(verdict.eWorse).toBeLessThan(1);
  });

  it('does not depend on the traffic split: the same rates at 5% and at 50% point the same way', () => {
    const at5 = verdictOf(run(Array.from({ length: 5 }, () => counts([500, 25], [9_500, 95]))), TEST);
    const at50 = verdictOf(run(Array.from({ length: 5 }, () => counts([5_000, 250], [5_000, 50]))), TEST);
    expect(at5.kind).toBe('worse');
    expect(at50.kind).toBe('worse');
  });

  it('rolls back at most alpha of good canaries, looked at every interval (2,000 simulated releases of 30 intervals)', () => {
    const next = seededRandom(7);
    const poisson = (mean: number): number => {
      let k = 0;
      for (let p = next(), limit = Math.exp(-mean); p > limit; p *= next()) k++;
      return k;
    };
    let rolledBack = 0;
    for (let release = 0; release < 2_000; release++) {
      let evidence = noEvidence();
      for (let i = 0; i < 30; i++) {
        // 1% errors on both sides, the canary's share of traffic moving as it steps.
        const share = Math.min(0.5, 0.05 * (i + 1));
        evidence = addInterval(evidence, counts([1_000 * share, poisson(10 * share)], [1_000 * (1 - share), poisson(10 * (1 - share))]), TEST);
        if (verdictOf(evidence, TEST).kind === 'worse') {
          rolledBack++;
          break;
        }
      }
    }
    expect(rolledBack / 2_000).toBeLessThanOrEqual(TEST.alpha);
  });

  it('refuses counts that are not counts, naming the side', () => {
    expect(() => addInterval(noEvidence(), counts([10, 11], [10, 0]), TEST)).toThrow('canary: 11 errors of 10 requests is not a count of one interval');
    expect(() => addInterval(noEvidence(), counts([10, 0], [-1, 0]), TEST)).toThrow('primary: 0 errors of -1 requests');
  });
});
