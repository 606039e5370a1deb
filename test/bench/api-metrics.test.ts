import { describe, expect, it } from 'vitest';
import { delta, deltaBy, histogramDelta, notController, parseMetrics, prometheusQueries, WRITE_VERBS } from '../../bench/api-metrics.js';

const APISERVER = `# HELP apiserver_request_total [STABLE] Counter of apiserver requests
# TYPE apiserver_request_total counter
apiserver_request_total{code="201",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="",verb="POST",version="v1"} 12
apiserver_request_total{code="200",component="apiserver",dry_run="",group="apps",resource="deployments",scope="resource",subresource="status",verb="PATCH",version="v1"} 40
apiserver_request_total{code="200",component="apiserver",dry_run="",group="flowshift.io",resource="rollouts",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 7
apiserver_request_total{code="409",component="apiserver",dry_run="",group="flowshift.io",resource="rollouts",scope="resource",subresource="status",verb="PATCH",version="v1alpha1"} 2
apiserver_request_total{code="200",component="apiserver",dry_run="",group="coordination.k8s.io",resource="leases",scope="resource",subresource="",verb="PUT",version="v1"} 30
apiserver_request_total{code="0",component="apiserver",dry_run="",group="",resource="pods",scope="namespace",subresource="",verb="WATCH",version="v1"} 3
apiserver_request_total{code="200",component="",dry_run="",group="",resource="",scope="",subresource="/metrics",verb="GET",version=""} 5
`;

describe('parseMetrics', () => {
  it('reads names, labels and values and skips comments', () => {
    const samples = parseMetrics(APISERVER);
    expect(samples).toHaveLength(7);
    expect(samples[0]).toEqual({
      name: 'apiserver_request_total',
      labels: { code: '201', component: 'apiserver', dry_run: '', group: 'apps', resource: 'deployments', scope: 'resource', subresource: '', verb: 'POST', version: 'v1' },
      value: 12,
    });
  });

  it('reads unlabelled samples, timestamps, +Inf, and escaped label values', () => {
    const samples = parseMetrics('up 1 1700000000000\nh_bucket{le="+Inf"} 4\nm{path="a\\"b,c=d"} 2.5e1\n');
    expect(samples.map((s) => s.value)).toEqual([1, 4, 25]);
    expect(samples[1]?.labels['le']).toBe('+Inf');
    expect(samples[2]?.labels).toEqual({ path: 'a"b,c=d' });
  });
});

describe('the controller\'s share of apiserver_request_total', () => {
  it('leaves out the API server\'s leases, the kubelet stand-in\'s status writes, watches and non-resource paths', () => {
    const before = parseMetrics('');
    const after = parseMetrics(APISERVER);
    const byVerb = deltaBy(before, after, 'apiserver_request_total', 'verb', (l) => !notController(l));
    expect(Object.fromEntries(byVerb)).toEqual({ POST: 12, PATCH: 9 });
    const writes = delta(before, after, 'apiserver_request_total', (l) => !notController(l) && WRITE_VERBS.has(l['verb'] ?? ''));
    expect(writes).toBe(21);
  });

  it('counts the change between two scrapes and drops labels that did not change', () => {
    const before = parseMetrics('c{verb="GET"} 10\nc{verb="PUT"} 3\n');
    const after = parseMetrics('c{verb="GET"} 10\nc{verb="PUT"} 5\nc{verb="POST"} 1\n');
    expect(Object.fromEntries(deltaBy(before, after, 'c', 'verb'))).toEqual({ PUT: 2, POST: 1 });
  });
});

describe('histogramDelta', () => {
  it('gives the cumulative buckets observed between two scrapes, sorted, +Inf last', () => {
    const before = parseMetrics('lag_bucket{le="0.1"} 5\nlag_bucket{le="+Inf"} 6\n');
    const after = parseMetrics('lag_bucket{le="+Inf"} 16\nlag_bucket{le="0.1"} 10\n');
    expect(histogramDelta(before, after, 'lag')).toEqual([{ le: 0.1, count: 5 }, { le: Infinity, count: 10 }]);
  });

  it('keeps the buckets nothing fell into, so a share up to their bound can still be read', () => {
    const before = parseMetrics('lag_bucket{le="0.25"} 3\nlag_bucket{le="10"} 3\nlag_bucket{le="+Inf"} 3\n');
    const after = parseMetrics('lag_bucket{le="0.25"} 3\nlag_bucket{le="10"} 9\nlag_bucket{le="+Inf"} 9\n');
    expect(histogramDelta(before, after, 'lag')).toEqual([{ le: 0.25, count: 0 }, { le: 10, count: 6 }, { le: Infinity, count: 6 }]);
  });
});

describe('prometheusQueries', () => {
  it('counts instant and range queries over every status code, nothing else', () => {
    const samples = parseMetrics(
      'prometheus_http_requests_total{code="200",handler="/api/v1/query"} 4\n' +
        'prometheus_http_requests_total{code="400",handler="/api/v1/query"} 1\n' +
        'prometheus_http_requests_total{code="200",handler="/api/v1/query_range"} 2\n' +
        'prometheus_http_requests_total{code="200",handler="/metrics"} 99\n',
    );
    expect(prometheusQueries(samples)).toBe(7);
  });
});
