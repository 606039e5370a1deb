import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A stretch of a workload's history that is not healthy: samples at times in (from, to], unix seconds. */
export interface Incident {
  readonly from: number;
  readonly to: number;
  /** Share of requests answered 5xx. */
  readonly errorShare?: number;
  /** Every request takes 800 ms instead of 30 ms. */
  readonly slow?: boolean;
}

/** A known history of Istio's metrics for one workload, as Envoy would have exported it every `stepSeconds`. */
export interface MeshHistory {
  readonly namespace: string;
  readonly workload: string;
  /** Unix seconds of the first and last sample (multiples of stepSeconds). */
  readonly start: number;
  readonly end: number;
  readonly stepSeconds: number;
  readonly requestsPerStep: number;
  readonly incidents: readonly Incident[];
}

/** The buckets Envoy's histogram has here: fast requests fall in le=50, slow ones in le=1000. */
const BOUNDS = ['50', '500', '1000', '+Inf'] as const;

function incidentAt(history: MeshHistory, t: number): Incident | undefined {
  return history.incidents.find((i) => t > i.from && t <= i.to);
}

/**
 * The history as OpenMetrics text, each series' samples in time order and
 * the series of a family together, as promtool's backfill reads them:
 * istio_requests_total by response_code and
 * istio_request_duration_milliseconds as a histogram.
 */
export function openMetricsOf(history: MeshHistory): string {
  const labels = `reporter="destination",destination_workload_namespace="${history.namespace}",destination_workload="${history.workload}"`;
  const times: number[] = [];
  for (let t = history.start; t <= history.end; t += history.stepSeconds) times.push(t);
  const ok: string[] = [];
  const failed: string[] = [];
  const histogram: string[] = [];
  const totals = { ok: 0, failed: 0, count: 0, sum: 0, buckets: [0, 0, 0, 0] };
  for (const t of times) {
    const incident = incidentAt(history, t);
    const n = history.requestsPerStep;
    const errors = Math.round(n * (incident?.errorShare ?? 0));
    totals.ok += n - errors;
    totals.failed += errors;
    totals.count += n;
    totals.sum += n * (incident?.slow ? 800 : 30);
    // Cumulative per bound: a slow request is above 50 and 500, at or below 1000.
    totals.buckets = totals.buckets.map((b, i) => b + (incident?.slow ? (i >= 2 ? n : 0) : n));
    ok.push(`istio_requests_total{${labels},response_code="200"} ${totals.ok} ${t}`);
    failed.push(`istio_requests_total{${labels},response_code="500"} ${totals.failed} ${t}`);
    histogram.push(
      ...BOUNDS.map((le, i) => `istio_request_duration_milliseconds_bucket{${labels},le="${le}"} ${totals.buckets[i] ?? 0} ${t}`),
      `istio_request_duration_milliseconds_count{${labels}} ${totals.count} ${t}`,
      `istio_request_duration_milliseconds_sum{${labels}} ${totals.sum} ${t}`,
    );
  }
  return [
    '# TYPE istio_requests counter',
    ...ok,
    ...failed,
    '# TYPE istio_request_duration_milliseconds histogram',
    ...histogram,
    '# EOF',
    '',
  ].join('\n');
}

/** Writes the history into Prometheus' data folder with `promtool tsdb create-blocks-from openmetrics`, before Prometheus starts on it. */
export async function backfill(history: MeshHistory, dataDir: string, workDir: string): Promise<void> {
  const file = join(workDir, `${history.workload}.om`);
  writeFileSync(file, openMetricsOf(history));
  await promisify(execFile)('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { maxBuffer: 16 * 1024 * 1024 });
}
