import { JudgeConclusion, type MetricResult, type RolloutSpec } from '../api/types.gen.js';

/**
 * What the sequential judge's conclusions (status.analysis[].conclusion,
 * analysis/judged-metric.ts) mean for a release: worse rolls back at once,
 * and not worse on every judged metric may promote early.
 */

/** The messages of the judged metrics that found the canary worse, or undefined. */
export function judgedWorse(results: readonly MetricResult[]): string | undefined {
  const worse = results.filter((r) => r.conclusion === JudgeConclusion.Worse);
  return worse.length > 0 ? worse.map((r) => r.message).join('; ') : undefined;
}

/**
 * Why the release may promote now, or undefined: every judged metric that
 * allows early promotion (judge.promoteEarly) says not worse, and there is
 * at least one. Judged metrics without it still roll back when worse, and
 * do not hold an early promotion back (an error rate far below 1% may never
 * gather the errors to show it is not worse). The caller has checked that
 * every check passed; confirm-promotion still gates the promotion.
 */
export function earlyPromotion(spec: RolloutSpec, results: readonly MetricResult[]): string | undefined {
  const early = (spec.analysis?.metrics ?? []).filter((m) => m.judge?.promoteEarly === true);
  if (early.length === 0) return undefined;
  const byName = new Map(results.map((r) => [r.name, r]));
  const verdicts = early.map((m) => byName.get(m.name));
  if (!verdicts.every((r) => r?.conclusion === JudgeConclusion.NotWorse)) return undefined;
  return `promoting early: ${verdicts.map((r) => r?.message ?? '').join('; ')}`;
}
