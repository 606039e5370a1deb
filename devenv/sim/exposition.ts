import type { Version } from './traffic-split.js';
import type { WorkloadCountsView } from './workload-counters.js';

/** The Istio labels that name one workload of a Rollout. */
export interface WorkloadIdentity {
  readonly namespace: string;
  /** destination_workload: `<target>-primary` or `<target>`. */
  readonly workload: string;
  /** destination_service_name: `<service>-primary` or `<service>-canary`. */
  readonly serviceName: string;
}

export const REQUESTS_TOTAL = 'istio_requests_total';
export const REQUEST_DURATION = 'istio_request_duration_milliseconds';

/** The response codes the simulator answers with. */
export const SUCCESS_CODE = '200';
export const ERROR_CODE = '500';

/**
 * Renders Istio's destination-side metrics in the Prometheus text format.
 * Like Envoy, a series appears once it has counted something: a canary that
 * never got a request exposes nothing, and "no data" is what a query sees.
 */
export function renderIstioMetrics(workloads: readonly { identity: WorkloadIdentity; counts: WorkloadCountsView }[]): string {
  const lines: string[] = [
    `# HELP ${REQUESTS_TOTAL} Requests received, by response code (simulated).`,
    `# TYPE ${REQUESTS_TOTAL} counter`,
  ];
  for (const { identity, counts } of workloads) {
    const base = baseLabels(identity);
    if (counts.successes > 0) lines.push(sample(REQUESTS_TOTAL, { ...base, response_code: SUCCESS_CODE }, counts.successes));
    if (counts.errors > 0) lines.push(sample(REQUESTS_TOTAL, { ...base, response_code: ERROR_CODE }, counts.errors));
  }
  lines.push(
    `# HELP ${REQUEST_DURATION} Request duration in milliseconds (simulated).`,
    `# TYPE ${REQUEST_DURATION} histogram`,
  );
  for (const { identity, counts } of workloads) {
    if (counts.total > 0) lines.push(...histogramLines(baseLabels(identity), counts));
  }
  return `${lines.join('\n')}\n`;
}

function histogramLines(base: Record<string, string>, counts: WorkloadCountsView): string[] {
  const lines = counts.buckets.map((le, index) =>
    sample(`${REQUEST_DURATION}_bucket`, { ...base, le: String(le) }, counts.bucketCounts[index] ?? 0),
  );
  lines.push(
    sample(`${REQUEST_DURATION}_bucket`, { ...base, le: '+Inf' }, counts.total),
    sample(`${REQUEST_DURATION}_sum`, base, counts.latencySum),
    sample(`${REQUEST_DURATION}_count`, base, counts.total),
  );
  return lines;
}

function baseLabels(identity: WorkloadIdentity): Record<string, string> {
  return {
    reporter: 'destination',
    destination_workload: identity.workload,
    destination_workload_namespace: identity.namespace,
    destination_service_name: identity.serviceName,
  };
}

export function sample(name: string, labels: Record<string, string>, value: number): string {
  const text = Object.entries(labels)
    .map(([key, v]) => `${key}="${escapeLabelValue(v)}"`)
    .join(',');
  return `${name}{${text}} ${String(value)}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The identities of a Rollout's two workloads, as Istio labels them. A
 * StatefulSet target (`oneWorkload`) has no primary copy: both versions are
 * its pods, one workload to Istio, told apart only by the Service.
 */
export function workloadIdentities(namespace: string, target: string, service: string, oneWorkload = false): Record<Version, WorkloadIdentity> {
  return {
    primary: { namespace, workload: oneWorkload ? target : `${target}-primary`, serviceName: `${service}-primary` },
    canary: { namespace, workload: target, serviceName: `${service}-canary` },
  };
}
