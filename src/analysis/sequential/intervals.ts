import type { RangeSeries } from '../../metrics/provider.js';
import type { ErrorCounts } from './error-rates.js';
import type { LatencyBuckets } from './latency.js';

/**
 * Turns the range queries of a judged metric (one per version, evaluated at
 * every interval of the release) into the per-interval counts the sequential
 * tests take. Pure: the judge's queries are read here and nowhere else.
 *
 * Prometheus' increase() extrapolates to the window's edges, so counts come
 * as fractions: they are rounded, and errors capped at the requests of the
 * same interval. A sample that is not finite (a series that starts mid-window
 * can yield NaN) counts as nothing for that interval.
 */

type Parsed<T> = { readonly ok: true; readonly intervals: readonly T[] } | { readonly ok: false; readonly message: string };

const COUNT_LABEL = 'count';

/** errorRate: series labelled count="requests" and count="errors", per version. */
export function errorCountsOf(canary: readonly RangeSeries[], primary: readonly RangeSeries[]): Parsed<ErrorCounts> {
  const sides = [countsByTime(canary), countsByTime(primary)] as const;
  const [c, p] = sides;
  if (typeof c === 'string') return { ok: false, message: `canary: ${c}` };
  if (typeof p === 'string') return { ok: false, message: `primary: ${p}` };
  const times = [...new Set([...c.keys(), ...p.keys()])].sort((a, b) => a - b);
  const side = (counts: ReadonlyMap<number, Side>, t: number): Side => counts.get(t) ?? { requests: 0, errors: 0 };
  return { ok: true, intervals: times.map((t) => ({ canary: side(c, t), primary: side(p, t) })) };
}

interface Side {
  readonly requests: number;
  readonly errors: number;
}

function countsByTime(series: readonly RangeSeries[]): Map<number, Side> | string {
  const requests = new Map<number, number>();
  const errors = new Map<number, number>();
  for (const s of series) {
    const kind = s.labels[COUNT_LABEL];
    const into = kind === 'requests' ? requests : kind === 'errors' ? errors : undefined;
    if (!into) return `a series without count="requests" or count="errors" (${JSON.stringify(s.labels)}): an errorRate query yields exactly those two`;
    for (const [t, v] of s.points) if (Number.isFinite(v)) into.set(t, (into.get(t) ?? 0) + v);
  }
  const counts = new Map<number, Side>();
  for (const t of new Set([...requests.keys(), ...errors.keys()])) {
    const total = Math.max(0, Math.round(requests.get(t) ?? 0));
    counts.set(t, { requests: total, errors: Math.min(total, Math.max(0, Math.round(errors.get(t) ?? 0))) });
  }
  return counts;
}

/** latency: cumulative histogram buckets by le, per version; intervals where either version has none are left out. */
export function latencyBucketsOf(canary: readonly RangeSeries[], primary: readonly RangeSeries[]): Parsed<LatencyBuckets> {
  const [c, p] = [bucketsByTime(canary), bucketsByTime(primary)];
  if (typeof c === 'string') return { ok: false, message: `canary: ${c}` };
  if (typeof p === 'string') return { ok: false, message: `primary: ${p}` };
  const intervals: LatencyBuckets[] = [];
  for (const t of [...c.keys()].sort((a, b) => a - b)) {
    const [mine, theirs] = [c.get(t), p.get(t)];
    if (!mine || !theirs) continue;
    // Both versions run the same binary's histogram; a bound only one of them has is left out.
    const bounds = [...mine.keys()].filter((b) => theirs.has(b)).sort((a, b) => a - b);
    if (bounds.at(-1) !== Infinity) continue;
    intervals.push({ bounds, canary: cumulative(bounds, mine), primary: cumulative(bounds, theirs) });
  }
  return { ok: true, intervals };
}

/** Rounded, and never falling from one bound to the next: extrapolation can bend a cumulative histogram, counts cannot. */
function cumulative(bounds: readonly number[], buckets: ReadonlyMap<number, number>): number[] {
  let top = 0;
  return bounds.map((b) => (top = Math.max(top, Math.round(buckets.get(b) ?? 0))));
}

function bucketsByTime(series: readonly RangeSeries[]): Map<number, Map<number, number>> | string {
  const byTime = new Map<number, Map<number, number>>();
  for (const s of series) {
    const le = s.labels['le'];
    const bound = le === undefined ? Number.NaN : le === '+Inf' ? Infinity : Number(le);
    if (Number.isNaN(bound)) return `a series without a numeric le label (${JSON.stringify(s.labels)}): a latency query yields histogram buckets, e.g. sum by (le) (increase(x_bucket[{{ interval }}]))`;
    for (const [t, v] of s.points) {
      if (!Number.isFinite(v)) continue;
      let buckets = byTime.get(t);
      if (!buckets) byTime.set(t, (buckets = new Map<number, number>()));
      buckets.set(bound, Math.max(0, v));
    }
  }
  return byTime;
}
