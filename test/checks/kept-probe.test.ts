import { describe, expect, it } from 'vitest';
import { keptProbe, probeBackend } from '../../src/checks/reference-sources.js';
import { METRIC_PROVIDERS, type MetricBackend } from '../../src/metrics/providers/registry.js';
import type { PrometheusProviderOptions } from '../../src/metrics/providers/prometheus/provider.js';
import { env } from '../support/env/context.js';

const prometheus = (options: PrometheusProviderOptions): MetricBackend => ({ type: 'prometheus', plugin: METRIC_PROVIDERS.prometheus, options });

describe('keptProbe against the test Prometheus', () => {
  it('probes each Prometheus once for many preflights while it answers, and asks again after 30 s or after a failure', async () => {
    const asked: string[] = [];
    let now = 1_000_000;
    const probe = keptProbe(
      async (backend: MetricBackend) => {
        asked.push((backend.options as PrometheusProviderOptions).address);
        return probeBackend(backend);
      },
      (backend) => JSON.stringify([backend.type, backend.options]),
      () => now,
    );
    const live = { address: env().prometheusUrl };
    const dead = { address: 'http://127.0.0.1:9' };

    expect(await Promise.all([1, 2, 3].map(() => probe(prometheus(live))))).toEqual([undefined, undefined, undefined]);
    expect(await probe(prometheus(live))).toBeUndefined();
    expect(asked).toEqual([live.address]);
    // Another tenant of the same Prometheus is another probe.
    expect(await probe(prometheus({ ...live, headers: { 'X-Scope-OrgID': 'team-a' } }))).toBeUndefined();
    expect(asked).toHaveLength(2);

    // A Prometheus that does not answer is asked again by the next preflight.
    expect(await probe(prometheus(dead))).toMatch(/^Prometheus at http:\/\/127\.0\.0\.1:9 does not answer: .+ \(start it, or fix the address\)$/);
    expect(await probe(prometheus(dead))).toMatch(/.+/);
    expect(asked.filter((a) => a === dead.address)).toHaveLength(2);

    now += 30_000;
    expect(await probe(prometheus(live))).toBeUndefined();
    expect(asked.filter((a) => a === live.address)).toHaveLength(3);
  });
});
