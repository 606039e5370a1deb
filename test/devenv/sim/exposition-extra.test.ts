import { describe, expect, it } from 'vitest';
import { renderAppMetrics, renderContourMetrics } from '../../../devenv/sim/exposition-extra.js';
import { workloadIdentities } from '../../../devenv/sim/exposition.js';
import { WorkloadCounters } from '../../../devenv/sim/workload-counters.js';
import { LatencyDistribution } from '../../../devenv/sim/latency.js';

function workloads(canaryRequests: number, canaryErrorRate: number): Parameters<typeof renderAppMetrics>[0] {
  const ids = workloadIdentities('shop', 'podinfo', 'podinfo');
  const latency = new LatencyDistribution({ p50: 20, p99: 100 });
  const primary = new WorkloadCounters([10, 50, 250]);
  primary.record(100, 0, latency);
  const canary = new WorkloadCounters([10, 50, 250]);
  canary.record(canaryRequests, canaryErrorRate, latency);
  return [{ identity: ids.primary, counts: primary }, { identity: ids.canary, counts: canary }];
}

describe('the application latency histogram', () => {
  it('is in seconds, labelled with namespace, a ReplicaSet pod name and the path', () => {
    const text = renderAppMetrics(workloads(10, 0), '/api/info');
    expect(text).toContain('http_request_duration_seconds_bucket{namespace="shop",pod="podinfo-7c9d6b8f5d-x2k4q",path="/api/info",le="0.05"}');
    expect(text).toContain('http_request_duration_seconds_count{namespace="shop",pod="podinfo-primary-7c9d6b8f5d-x2k4q",path="/api/info"} 100');
    expect(text).toMatch(/http_request_duration_seconds_bucket\{[^}]*pod="podinfo-7c9d6b8f5d-x2k4q"[^}]*le="\+Inf"\} 10\n/);
  });

  it('has no series for a version that served nothing', () => {
    expect(renderAppMetrics(workloads(0, 0), '/')).not.toContain('pod="podinfo-7c9d6b8f5d-x2k4q"');
  });

  it('names pods so that a template matching "<target>-<hash>-<suffix>" selects the canary only', () => {
    const pods = [...renderAppMetrics(workloads(10, 0), '/').matchAll(/pod="([^"]+)"/g)].map((m) => m[1] ?? '');
    const canaryPods = new Set(pods.filter((p) => /^podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)$/.test(p)));
    expect([...canaryPods]).toEqual(['podinfo-7c9d6b8f5d-x2k4q']);
  });
});

describe("Contour's upstream counters", () => {
  it('count successes and errors per backend Service cluster', () => {
    const text = renderContourMetrics(workloads(10, 0.3));
    expect(text).toContain('envoy_cluster_upstream_rq{envoy_cluster_name="shop/podinfo-canary/9898/da39a3ee5e",envoy_response_code="500"} 3');
    expect(text).toContain('envoy_cluster_upstream_rq{envoy_cluster_name="shop/podinfo-primary/9898/da39a3ee5e",envoy_response_code="200"} 100');
  });
});
