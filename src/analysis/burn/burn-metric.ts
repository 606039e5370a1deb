import { humanDuration, parsePeriod } from '../../api/duration.js';
import { DEFAULTS } from '../../api/schema/defaults.js';
import type { ErrorBudgetSpec, MetricResult, MetricSpec } from '../../api/types.gen.js';
import type { RangeOutcome } from '../../metrics/provider.js';
import { formatNumber } from '../format.js';
import { errorCountsOf } from '../sequential/intervals.js';
import { describeOutcome } from '../verdict.js';
import { budgetLastsMs, burnRates, burnRulesOf, type PairBurn, type WindowBurn } from './burn-rate.js';

/** A metric with errorBudget: the built-in error-budget-burn. */
export type BurnMetric = Pick<MetricSpec, 'name'> & { readonly errorBudget: ErrorBudgetSpec };

/**
 * The error-budget-burn verdict from the canary's per-interval counts of the
 * release so far (the built-in's query over a range from the release's start,
 * step = the analysis interval): the same function at run time and in a
 * backtest. Fails when any rule fires, and without a request to the canary
 * (a release never moves on without evidence); the evidence names every
 * window, how much of it the release has filled, and its burn rate.
 */
export function judgeBurn(metric: BurnMetric, canary: RangeOutcome, stepSeconds: number, now: Date): MetricResult {
  const base = { name: metric.name, time: now.toISOString() };
  if (canary.kind !== 'series') return { ...base, passed: false, message: describeOutcome(metric.name, canary, 'canary') };
  const counts = errorCountsOf(canary.series, []);
  if (!counts.ok) return { ...base, passed: false, message: `${metric.name}: ${counts.message}` };
  const rules = burnRulesOf(metric.errorBudget);
  if (typeof rules === 'string') return { ...base, passed: false, message: `${metric.name}: ${rules}` };
  const intervals = counts.intervals.map((i) => i.canary);
  if (!intervals.some((c) => c.requests > 0)) return { ...base, passed: false, message: `${metric.name}: no requests reached the canary yet: is it receiving traffic?` };
  const pairs = burnRates(intervals, stepSeconds * 1000, metric.errorBudget.objective, rules);
  const firing = pairs.filter((p) => p.fires);
  const value = Math.max(...pairs.map((p) => Math.min(p.long.burn, p.short.burn)));
  const subject = `${metric.name} (objective ${formatNumber(metric.errorBudget.objective)}%)`;
  const message = firing.length
    ? `${subject}: ${firing.map(describeFiring).join('; ')}${lasts(metric.errorBudget, firing)}`
    : `${subject}: ${pairs.map(describePair).join('; ')}`;
  return { ...base, value: Number(value.toPrecision(6)), passed: firing.length === 0, message };
}

/** "20.5× over 1h (10m so far) and 18.2× over 5m, both above 14.4×". */
function describeFiring(pair: PairBurn): string {
  return `${describeWindow(pair.long)} and ${describeWindow(pair.short)}, both above ${formatNumber(pair.rule.burnRate)}×`;
}

/** "0.5× over 1h / 0.4× over 5m (fails above 14.4× on both)". */
function describePair(pair: PairBurn): string {
  return `${describeWindow(pair.long)} / ${describeWindow(pair.short)} (fails above ${formatNumber(pair.rule.burnRate)}× on both)`;
}

/** "18.2× over 1h (10m so far)": a window longer than the release counts the release. */
function describeWindow(w: WindowBurn): string {
  const span = w.clipped ? ` (${humanDuration(w.spanMs)} so far)` : '';
  return `${formatNumber(w.burn)}× over ${w.window}${span}`;
}

/** ", at 20.5× the 30d budget lasts 1d11h". */
function lasts(spec: ErrorBudgetSpec, firing: readonly PairBurn[]): string {
  const period = spec.period ?? DEFAULTS.errorBudgetPeriod;
  const periodMs = parsePeriod(period) ?? 0;
  const fastest = Math.max(...firing.map((p) => p.short.burn));
  return `; at ${formatNumber(fastest)}× the ${period} budget lasts ${humanDuration(budgetLastsMs(periodMs, fastest))}`;
}
