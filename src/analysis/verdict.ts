import type { MetricResult, MetricSpec, ThresholdRange } from '../api/types.gen.js';
import { formatSampleValue, QueryOutcomeKind, type QueryOutcome } from '../metrics/provider.js';
import { compareWithPrimary, parseComparison } from './compare.js';
import { withUnit } from './format.js';

/** What one metric check produced, ready to be judged. */
export interface MetricEvidence {
  readonly metric: Pick<MetricSpec, 'name' | 'thresholdRange' | 'compare'>;
  /** The canary's query outcome. */
  readonly canary: QueryOutcome;
  /** The primary's outcome of the same query; needed when the metric has `compare`. */
  readonly primary?: QueryOutcome;
  /** Unit for messages ("ms"), empty for none. */
  readonly unit?: string;
  readonly now: Date;
}

interface Check {
  readonly passed: boolean;
  readonly message: string;
}

/**
 * Judges one metric. Only a finite value inside every bound passes: no data,
 * NaN/Inf, several series, a query error or an unreachable Prometheus all
 * fail, because a release never moves forward without evidence.
 */
export function judgeMetric(evidence: MetricEvidence): MetricResult {
  const { metric, canary, now } = evidence;
  const unit = evidence.unit ?? '';
  const base = resultBase(metric, now);
  if (canary.kind !== QueryOutcomeKind.Value) {
    return { ...base, passed: false, message: describeOutcome(metric.name, canary, 'canary') };
  }
  const checks: Check[] = [];
  if (metric.thresholdRange) checks.push(judgeRange(metric.name, canary.value, metric.thresholdRange, unit));
  let primaryValue: number | undefined;
  if (metric.compare) {
    const relative = judgeRelative(evidence, canary.value, unit);
    checks.push(relative.check);
    primaryValue = relative.primaryValue;
  }
  const failed = checks.filter((c) => !c.passed);
  const shown = failed.length > 0 ? failed : checks;
  const message = shown.length > 0 ? shown.map((c) => c.message).join('; ') : `${metric.name} ${withUnit(canary.value, unit)} (no bounds set)`;
  return {
    ...base,
    value: canary.value,
    ...(primaryValue === undefined ? {} : { primaryValue }),
    passed: failed.length === 0,
    message,
  };
}

/** A failed result for a metric that could not be queried at all (bad template, missing Secret …). */
export function failedMetric(metric: Pick<MetricSpec, 'name' | 'thresholdRange'>, message: string, now: Date): MetricResult {
  return { ...resultBase(metric, now), passed: false, message };
}

function resultBase(metric: Pick<MetricSpec, 'name' | 'thresholdRange'>, now: Date): Omit<MetricResult, 'passed' | 'message'> {
  return {
    name: metric.name,
    ...(metric.thresholdRange ? { thresholdRange: { ...metric.thresholdRange } } : {}),
    time: now.toISOString(),
  };
}

function judgeRange(name: string, value: number, range: ThresholdRange, unit: string): Check {
  const subject = `${name} ${withUnit(value, unit)}`;
  const { min, max } = range;
  if (min !== undefined && value < min) return { passed: false, message: `${subject} < ${withUnit(min, unit)} (min)` };
  if (max !== undefined && value > max) return { passed: false, message: `${subject} > ${withUnit(max, unit)} (max)` };
  if (min !== undefined && max !== undefined) {
    return { passed: true, message: `${subject} within ${withUnit(min, unit)}..${withUnit(max, unit)}` };
  }
  if (min !== undefined) return { passed: true, message: `${subject} >= ${withUnit(min, unit)} (min)` };
  if (max !== undefined) return { passed: true, message: `${subject} <= ${withUnit(max, unit)} (max)` };
  return { passed: true, message: `${subject} (empty thresholdRange)` };
}

function judgeRelative(evidence: MetricEvidence, canary: number, unit: string): { check: Check; primaryValue?: number } {
  const { metric, primary } = evidence;
  const compare = metric.compare;
  if (!compare) return { check: { passed: true, message: '' } };
  // The API types allow only "primary"; a hand-written object may still carry another word.
  const baseline: string = compare.baseline;
  if (baseline !== 'primary') {
    return { check: { passed: false, message: `${metric.name}: unknown compare.baseline "${baseline}" (only "primary")` } };
  }
  const parsed = parseComparison(compare);
  if (!parsed.ok) return { check: { passed: false, message: `${metric.name}: ${parsed.message}` } };
  if (!primary) return { check: { passed: false, message: `${metric.name}: the primary was not queried for the comparison` } };
  if (primary.kind !== QueryOutcomeKind.Value) {
    return { check: { passed: false, message: describeOutcome(metric.name, primary, 'primary') } };
  }
  return {
    check: compareWithPrimary(metric.name, canary, primary.value, parsed.bounds, unit),
    primaryValue: primary.value,
  };
}

/** The sentence for an outcome that is not a value. */
export function describeOutcome(name: string, outcome: QueryOutcome, role: 'canary' | 'primary'): string {
  const subject = role === 'canary' ? name : `${name} on the primary`;
  switch (outcome.kind) {
    case QueryOutcomeKind.Value:
      return `${subject} ${String(outcome.value)}`;
    case QueryOutcomeKind.NoData:
      return role === 'canary'
        ? `no values found for ${name}: is the canary receiving traffic?`
        : `no values found for ${name} on the primary: is the primary receiving traffic?`;
    case QueryOutcomeKind.NotFinite:
      return `${subject} is ${formatSampleValue(outcome.value)}: no finite value to judge (a division by zero, or no requests in the interval?)`;
    case QueryOutcomeKind.MultipleSeries:
      return `${subject} returned ${outcome.count} series where one was expected (aggregate with sum or avg): ${outcome.series
        .map((labels) => JSON.stringify(labels))
        .join(', ')}`;
    case QueryOutcomeKind.QueryError:
      return `${subject} query failed: ${outcome.errorType}: ${outcome.message}`;
    case QueryOutcomeKind.Unreachable:
      return `${subject} not checked: ${outcome.message}`;
    case QueryOutcomeKind.Timeout:
      return `${subject} not checked: query timed out (${outcome.message})`;
  }
}
