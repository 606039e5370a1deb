import type { MetricResult, MetricSpec } from '../../api/types.gen.js';
import { burnRulesOf } from '../burn/burn-rate.js';
import type { ReplayedCheck } from './releases.js';

/** One metric over the whole backtest. */
export interface MetricSummary {
  readonly name: string;
  /** The bound as the status view shows it: ">= 99", "<= 500 ms", "vs primary: max +20%", "judge: errorRate" … */
  readonly bound: string;
  readonly checks: number;
  readonly failures: number;
  /** The longest run of consecutive failed checks of this metric, or undefined without failures. */
  readonly longestFailingRun?: { readonly checks: number; readonly from: number; readonly to: number };
}

/** Per metric: checks, failures and the longest failing run (unix seconds), over every replayed check in order. */
export function summarize(metrics: readonly MetricSpec[], checks: readonly ReplayedCheck[], unitOf: (index: number) => string): MetricSummary[] {
  return metrics.map((metric, index) => {
    let failures = 0;
    let run: { checks: number; from: number; to: number } | undefined;
    let longest: { checks: number; from: number; to: number } | undefined;
    for (const check of checks) {
      const result: MetricResult | undefined = check.results[index];
      if (result?.passed !== false) {
        run = undefined;
        continue;
      }
      failures += 1;
      run = run ? { ...run, checks: run.checks + 1, to: check.at } : { checks: 1, from: check.at, to: check.at };
      if (!longest || run.checks > longest.checks) longest = run;
    }
    return { name: metric.name, bound: boundOf(metric, unitOf(index)), checks: checks.length, failures, ...(longest ? { longestFailingRun: longest } : {}) };
  });
}

/** The bounds a metric is judged against, in words. */
export function boundOf(metric: MetricSpec, unit: string): string {
  const parts: string[] = [];
  const u = unit ? ` ${unit}` : '';
  const range = metric.thresholdRange;
  if (range?.min !== undefined) parts.push(`>= ${range.min}${u}`);
  if (range?.max !== undefined) parts.push(`<= ${range.max}${u}`);
  if (metric.compare) {
    const limits = [metric.compare.maxIncrease === undefined ? '' : `max +${metric.compare.maxIncrease}`, metric.compare.maxDecrease === undefined ? '' : `max -${metric.compare.maxDecrease}`];
    parts.push(`vs primary: ${limits.filter(Boolean).join(', ')}`);
  }
  if (metric.judge) parts.push(`judge: ${metric.judge.test}`);
  if (metric.errorBudget) {
    const rules = burnRulesOf(metric.errorBudget);
    parts.push(typeof rules === 'string' ? rules : rules.map((r) => `${r.long}/${r.short} > ${r.burnRate}×`).join(', '));
  }
  return parts.join('; ');
}
