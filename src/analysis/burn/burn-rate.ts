/**
 * The SRE workbook's multi-window burn-rate rule ("Alerting on SLOs",
 * The Site Reliability Workbook, ch. 5), applied to one release's canary.
 *
 * Burn rate = error ratio over a window / (1 − objective): 1 spends the
 * budget exactly over the period, 14.4 spends a 30-day budget's 2% in an
 * hour. A rule fires when the long window AND the short window both burn
 * faster than its burnRate: the long one for significance, the short one so
 * the rule stops firing soon after the burning stops.
 *
 * Windows are counted in whole analysis intervals since the release started,
 * from per-interval counts (one range query reads them all): a canary
 * minutes old has only minutes of traffic of its own, and the Deployment's
 * earlier releases carry the same destination_workload, so a window longer
 * than the release is clipped to the release instead of reading a previous
 * version's errors. docs/backtest.md#the-error-budget-burn-check says why.
 *
 * Pure: no I/O, no clock.
 */
import { parseDuration, parsePeriod } from '../../api/duration.js';
import type { ErrorBudgetSpec } from '../../api/types.gen.js';
import { DEFAULTS, WORKBOOK_BURN_PAIRS } from '../../api/schema/defaults.js';

/** One interval's requests and 5xx responses of the canary. */
export interface IntervalCounts {
  readonly requests: number;
  readonly errors: number;
}

/** A window rule with its durations read. */
export interface BurnRule {
  readonly long: string;
  readonly short: string;
  readonly longMs: number;
  readonly shortMs: number;
  readonly burnRate: number;
}

/** What one window measured. */
export interface WindowBurn {
  /** The window as written ("1h"). */
  readonly window: string;
  /** The intervals it covered: fewer than it asks for while the release is younger than the window. */
  readonly intervals: number;
  /** intervals × the analysis interval. */
  readonly spanMs: number;
  readonly clipped: boolean;
  readonly requests: number;
  readonly errors: number;
  /** Error ratio / budget; 0 without requests (nothing burnt). */
  readonly burn: number;
}

export interface PairBurn {
  readonly rule: BurnRule;
  readonly long: WindowBurn;
  readonly short: WindowBurn;
  /** Both windows above the rule's burn rate. */
  readonly fires: boolean;
}

const HOUR_MS = 3_600_000;

/**
 * The rules of a spec: its windows, or the workbook's pairs with burn rates
 * for its period (14.4 and 6 for 30 days). A string names the field that
 * cannot be read (the CRD's patterns make that rare).
 */
export function burnRulesOf(spec: ErrorBudgetSpec): BurnRule[] | string {
  const period = spec.period ?? DEFAULTS.errorBudgetPeriod;
  const periodMs = parsePeriod(period);
  if (periodMs === undefined || periodMs <= 0) return `errorBudget.period "${period}" is not a period: write whole days (30d) or a duration (720h)`;
  if (!spec.windows) {
    return WORKBOOK_BURN_PAIRS.map((p) => {
      const longMs = parseDuration(p.long) ?? HOUR_MS;
      return { long: p.long, short: p.short, longMs, shortMs: parseDuration(p.short) ?? 0, burnRate: roundRate((p.budgetShare * periodMs) / longMs) };
    });
  }
  const rules: BurnRule[] = [];
  for (const [i, w] of spec.windows.entries()) {
    const longMs = parseDuration(w.long);
    const shortMs = parseDuration(w.short);
    if (longMs === undefined || shortMs === undefined) return `errorBudget.windows[${i}]: "${w.long}"/"${w.short}" are not durations (write 1h, 5m …)`;
    rules.push({ long: w.long, short: w.short, longMs, shortMs, burnRate: w.burnRate });
  }
  return rules;
}

/** 14.4, not 14.399999999999999. */
function roundRate(rate: number): number {
  return Number(rate.toPrecision(6));
}

/** The budget: the share of requests allowed to fail (0.001 for 99.9). */
export function budgetOf(objectivePercent: number): number {
  return 1 - objectivePercent / 100;
}

/**
 * Every rule's burn over the intervals of the release so far (oldest first,
 * each `stepMs` long). A window takes its last ⌈window/step⌉ intervals, or all
 * there are.
 */
export function burnRates(intervals: readonly IntervalCounts[], stepMs: number, objectivePercent: number, rules: readonly BurnRule[]): PairBurn[] {
  const budget = budgetOf(objectivePercent);
  return rules.map((rule) => {
    const long = windowBurn(intervals, stepMs, rule.long, rule.longMs, budget);
    const short = windowBurn(intervals, stepMs, rule.short, rule.shortMs, budget);
    return { rule, long, short, fires: long.burn > rule.burnRate && short.burn > rule.burnRate };
  });
}

function windowBurn(intervals: readonly IntervalCounts[], stepMs: number, window: string, windowMs: number, budget: number): WindowBurn {
  const wanted = Math.max(1, Math.ceil(windowMs / stepMs));
  const counted = intervals.slice(-wanted);
  const requests = counted.reduce((sum, c) => sum + c.requests, 0);
  const errors = counted.reduce((sum, c) => sum + c.errors, 0);
  // Rounded to 10 digits: 1 - 99.9/100 is not 0.001 in floating point, and a burn on the rate must read as on it, not over.
  const burn = requests > 0 ? Number((errors / requests / budget).toPrecision(10)) : 0;
  return { window, intervals: counted.length, spanMs: counted.length * stepMs, clipped: counted.length < wanted, requests, errors, burn };
}

/** How long the period's budget lasts at `burn`, in milliseconds (Infinity at 0). */
export function budgetLastsMs(periodMs: number, burn: number): number {
  return burn > 0 ? periodMs / burn : Infinity;
}
