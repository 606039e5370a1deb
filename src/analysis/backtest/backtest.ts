import { parseDuration } from '../../api/duration.js';
import { primaryName } from '../../api/names.js';
import { DEFAULTS } from '../../api/schema/defaults.js';
import type { MetricResult, MetricSpec, Rollout } from '../../api/types.gen.js';
import type { RangeOutcome, RangeWindow } from '../../metrics/provider.js';
import { analysisContextOf, metricInterval } from '../metric-query.js';
import { readAt, type RangeReadings } from '../metric-reading.js';
import { ReadingKind, readingKindOf, verdictOf } from '../metric-verdict.js';
import { describeOutcome } from '../verdict.js';
import { prepareMetric, type PrepareDeps } from '../prepared-metric.js';
import { OutboundPolicy } from '../../http/outbound-policy.js';
import { releasePlanOf, replayReleases, type ReleasePlan, type ReplayedCheck, type Rollback } from './releases.js';
import { summarize, type MetricSummary } from './summary.js';

/** Prometheus answers at most this many points per series of a range query. */
export const MAX_POINTS = 11_000;

/** Whose history stands in for the canary. */
export const Against = { Primary: 'primary', Canary: 'canary' } as const;

/** A backtest asks for weeks of points: a longer deadline and a larger answer than a live check's. */
const BACKTEST_QUERY_TIMEOUT_MS = 120_000;
const BACKTEST_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

/**
 * The user's side of a backtest: templates and Secrets read with the user's
 * credentials, `prometheus` for metrics without a template address (as the
 * controller's --prometheus-url), and a template's own address held to the
 * controller's default outbound policy, so a template cannot point the
 * user's machine at its loopback or a cloud metadata address either.
 */
export function backtestDeps(sources: Pick<PrepareDeps, 'readTemplate' | 'readSecret'>, prometheus: string | undefined): PrepareDeps {
  return {
    ...sources,
    defaultAddress: prometheus,
    outbound: new OutboundPolicy({ denyCidrs: [], allowCidrs: [], denyHosts: [], allowHosts: [] }),
    queryTimeoutMs: BACKTEST_QUERY_TIMEOUT_MS,
    maxResponseBytes: BACKTEST_MAX_RESPONSE_BYTES,
  };
}

export interface BacktestInput {
  readonly rollout: Rollout;
  readonly since: Date;
  readonly until: Date;
  /** primary (default), canary, or the name of another workload in the Rollout's namespace. */
  readonly against: string;
  /** Overrides the strategy's checks per release. */
  readonly checksPerRelease?: number | undefined;
}

export interface BacktestReport {
  readonly rollout: string;
  /** The workload whose history was judged as the canary. */
  readonly workload: string;
  readonly since: string;
  readonly until: string;
  readonly intervalSeconds: number;
  readonly plan: ReleasePlan;
  readonly releases: { readonly promoted: number; readonly rolledBack: number };
  /** Range queries sent to Prometheus: one per metric and version. */
  readonly rangeQueries: number;
  readonly metrics: readonly MetricSummary[];
  readonly rollbacks: readonly Rollback[];
  /** Every check replayed, with every metric's result: what the controller would have written to status.analysis. */
  readonly checks: readonly ReplayedCheck[];
}

export type BacktestResult = { readonly ok: true; readonly report: BacktestReport } | { readonly ok: false; readonly message: string };

/** A metric with its range queries' answers over the whole window. */
interface Fetched {
  readonly metric: MetricSpec;
  readonly kind: ReadingKind;
  readonly unit: string;
  readonly ranges: RangeReadings;
}

/**
 * Evaluates a Rollout's analysis at every analysis interval of [since,
 * until] from Prometheus' history, as the controller would have at each
 * check: the same preparation (templates, grants, rendering), the same
 * verdict code (metric-verdict.ts), fed from one range query per metric and
 * version with step = the analysis interval, and releases replayed back to
 * back (releases.ts) to find where one would have been rolled back.
 */
export async function backtest(input: BacktestInput, deps: PrepareDeps, signal?: AbortSignal): Promise<BacktestResult> {
  const { rollout } = input;
  const checks = checkPlan(input);
  if (typeof checks === 'string') return refuse(checks);
  const { step, times } = checks;
  const metrics = rollout.spec.analysis?.metrics ?? [];
  const workload = workloadOf(rollout, input.against);
  const window: RangeWindow = { start: new Date((times[0] ?? 0) * 1000), end: new Date((times.at(-1) ?? 0) * 1000), stepSeconds: step };
  const fetched = await fetchAll(deps, rollout, workload, window, signal);
  if (typeof fetched === 'string') return refuse(fetched);
  const plan = { ...releasePlanOf(rollout.spec), ...(input.checksPerRelease ? { checksPerRelease: input.checksPerRelease } : {}) };
  const evaluate = (at: number, releaseStart: number): MetricResult[] =>
    fetched.metrics.map((f) => verdictOf(f.metric, readAt(f.ranges, f.kind, at, releaseStart, step), f.unit, new Date(at * 1000)));
  const replay = replayReleases(rollout.spec, Math.floor(input.since.getTime() / 1000), times, plan, evaluate);
  const report: BacktestReport = {
    rollout: `${rollout.metadata.namespace ?? 'default'}/${rollout.metadata.name ?? ''}`,
    workload,
    since: input.since.toISOString(),
    until: input.until.toISOString(),
    intervalSeconds: step,
    plan,
    releases: { promoted: replay.promoted, rolledBack: replay.rollbacks.length },
    rangeQueries: fetched.rangeQueries,
    metrics: summarize(metrics, replay.checks, (i) => fetched.metrics[i]?.unit ?? ''),
    rollbacks: replay.rollbacks,
    checks: replay.checks,
  };
  return { ok: true, report };
}

/** Each metric prepared as the controller prepares it, for the workload standing in for the canary, and its range queries; a string says which metric cannot be backtested. */
async function fetchAll(
  deps: PrepareDeps,
  rollout: Rollout,
  workload: string,
  window: RangeWindow,
  signal?: AbortSignal,
): Promise<{ metrics: Fetched[]; rangeQueries: number } | string> {
  const context = { ...analysisContextOf(rollout), canary: workload };
  let rangeQueries = 0;
  const metrics: Fetched[] = [];
  for (const [index, metric] of (rollout.spec.analysis?.metrics ?? []).entries()) {
    const prepared = await prepareMetric(deps, rollout, metric, index, context, signal);
    if (typeof prepared === 'string') return `spec.analysis.metrics[${index}]: ${prepared}`;
    const { provider, queries } = prepared;
    const canary = await provider.rangeQuery(queries.canary, window, signal);
    rangeQueries += 1;
    // Against the primary, a comparison's two queries are one: the same history is read once.
    const separate = queries.primary !== undefined && queries.primary !== queries.canary;
    const primary = separate ? await provider.rangeQuery(queries.primary, window, signal) : queries.primary === undefined ? undefined : canary;
    if (separate) rangeQueries += 1;
    const failed = failedRange(metric, canary, primary);
    if (failed) return `spec.analysis.metrics[${index}]: the range query failed: ${failed}`;
    metrics.push({ metric, kind: readingKindOf(metric), unit: prepared.unit, ranges: { canary, primary } });
  }
  return { metrics, rangeQueries };
}

/** A failed range query fails the backtest: every check would fail for want of an answer, which says nothing about the bounds. */
function failedRange(metric: MetricSpec, canary: RangeOutcome, primary: RangeOutcome | undefined): string | undefined {
  if (canary.kind !== 'series') return describeOutcome(metric.name, canary, 'canary');
  if (primary && primary.kind !== 'series') return describeOutcome(metric.name, primary, 'primary');
  return undefined;
}

function refuse(message: string): BacktestResult {
  return { ok: false, message };
}

/** The analysis interval in seconds and every check time, or why the Rollout or the window cannot be backtested. */
function checkPlan({ rollout, since, until }: BacktestInput): { step: number; times: number[] } | string {
  const interval = rollout.spec.analysis?.interval ?? DEFAULTS.analysisInterval;
  const step = Math.round((parseDuration(interval) ?? 0) / 1000);
  if (step < 1) return `spec.analysis.interval "${interval}" is not a duration of at least 1s`;
  const metrics = rollout.spec.analysis?.metrics ?? [];
  if (metrics.length === 0) return 'spec.analysis.metrics is empty: there is nothing to backtest (add a metric)';
  const unaligned = metrics.findIndex((m) => readingKindOf(m) === ReadingKind.Intervals && metricInterval(rollout, m) !== interval);
  if (unaligned >= 0) return `spec.analysis.metrics[${unaligned}].interval: a judged metric is backtested in whole analysis intervals; remove its interval or set it to spec.analysis.interval (${interval})`;
  const times = checkTimes(since, until, step);
  return typeof times === 'string' ? times : { step, times };
}

/** Every check of the window: one interval after since, then every interval up to until (unix seconds). */
function checkTimes(since: Date, until: Date, step: number): number[] | string {
  const start = Math.floor(since.getTime() / 1000);
  const end = Math.floor(until.getTime() / 1000);
  const count = Math.floor((end - start) / step);
  if (count < 1) return `the window ${since.toISOString()} .. ${until.toISOString()} holds no whole analysis interval (${step}s): widen --since or --until`;
  if (count > MAX_POINTS) {
    return `the window holds ${count} analysis intervals of ${step}s, and Prometheus answers at most ${MAX_POINTS} points per range query: shorten it to ${Math.floor((MAX_POINTS * step) / 3600)}h or less`;
  }
  return Array.from({ length: count }, (_, k) => start + (k + 1) * step);
}

/** The workload standing in for the canary. */
function workloadOf(rollout: Rollout, against: string): string {
  const target = rollout.spec.targetRef.name;
  if (against === Against.Primary) return primaryName(target);
  if (against === Against.Canary) return target;
  return against;
}
