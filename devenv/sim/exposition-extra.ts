import { sample, type WorkloadIdentity } from './exposition.js';
import type { WorkloadCountsView } from './workload-counters.js';

/** One workload's counters with the labels that name it. */
interface Workload {
  readonly identity: WorkloadIdentity;
  readonly counts: WorkloadCountsView;
}

export const APP_REQUEST_DURATION = 'http_request_duration_seconds';
export const CONTOUR_UPSTREAM_REQUESTS = 'envoy_cluster_upstream_rq';

/**
 * The application's own latency histogram, in seconds, as a Prometheus client
 * library exports it and the Kubernetes service discovery labels it (namespace,
 * pod): what MetricTemplates that do not rely on the mesh query. Each workload
 * is one pod, named as a ReplicaSet names them.
 */
export function renderAppMetrics(workloads: readonly Workload[], path: string): string {
  const lines = [`# HELP ${APP_REQUEST_DURATION} Request duration in seconds (simulated).`, `# TYPE ${APP_REQUEST_DURATION} histogram`];
  for (const { identity, counts } of workloads) {
    if (counts.total === 0) continue;
    const base = { namespace: identity.namespace, pod: podName(identity.workload), path };
    counts.buckets.forEach((le, index) => {
      lines.push(sample(`${APP_REQUEST_DURATION}_bucket`, { ...base, le: String(le / 1000) }, counts.bucketCounts[index] ?? 0));
    });
    lines.push(
      sample(`${APP_REQUEST_DURATION}_bucket`, { ...base, le: '+Inf' }, counts.total),
      sample(`${APP_REQUEST_DURATION}_sum`, base, counts.latencySum / 1000),
      sample(`${APP_REQUEST_DURATION}_count`, base, counts.total),
    );
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Envoy's upstream request counters as Contour (a Gateway API implementation)
 * names its clusters: `<namespace>/<service>/<port>/<hash>`, one per backend
 * Service, with the response code.
 */
export function renderContourMetrics(workloads: readonly Workload[], servicePort = 9898): string {
  const lines = [`# HELP ${CONTOUR_UPSTREAM_REQUESTS} Upstream requests, by response code (simulated).`, `# TYPE ${CONTOUR_UPSTREAM_REQUESTS} counter`];
  for (const { identity, counts } of workloads) {
    const cluster = `${identity.namespace}/${identity.serviceName}/${servicePort}/da39a3ee5e`;
    if (counts.successes > 0) lines.push(sample(CONTOUR_UPSTREAM_REQUESTS, { envoy_cluster_name: cluster, envoy_response_code: '200' }, counts.successes));
    if (counts.errors > 0) lines.push(sample(CONTOUR_UPSTREAM_REQUESTS, { envoy_cluster_name: cluster, envoy_response_code: '500' }, counts.errors));
  }
  return `${lines.join('\n')}\n`;
}

/** A pod name as a Deployment's ReplicaSet gives it: `<deployment>-<template hash>-<suffix>`. */
function podName(workload: string): string {
  return `${workload}-7c9d6b8f5d-x2k4q`;
}
