import { describe, expect, it } from 'vitest';
import { keptProbe, probePrometheus } from '../../src/checks/reference-sources.js';
import type { PrometheusProviderOptions } from '../../src/metrics/providers/prometheus/provider.js';
import { env } from '../support/env/context.js';

describe('keptProbe against the test Prometheus', () => {
  it('probes each Prometheus once for many preflights while it answers, and asks again after 30 s or after a failure', async () => {
    const asked: string[] = [];
    let now = 1_000_000;
    const probe = keptProbe(async (options: PrometheusProviderOptions) => {
      asked.push(options.address);
      return probePrometheus(options);
    }, () => now);
    const live = { address: env().prometheusUrl };
    const dead = { address: 'http://127.0.0.1:9' };

    expect(await Promise.all([1, 2, 3].map(() => probe(live)))).toEqual([undefined, undefined, undefined]);
    expect(await probe(live)).toBeUndefined();
    expect(asked).toEqual([live.address]);
    // Another tenant of the same Prometheus is another probe.
    expect(await probe({ ...live, headers: { 'X-Scope-OrgID': 'team-a' } })).toBeUndefined();
    expect(asked).toHaveLength(2);

    // A Prometheus that does not answer is asked again by the next preflight.
    expect(await probe(dead)).toMatch(/.+/);
    expect(await probe(dead)).toMatch(/.+/);
    expect(asked.filter((a) => a === dead.address)).toHaveLength(2);

    now += 30_000;
    expect(await probe(live)).toBeUndefined();
    expect(asked.filter((a) => a === live.address)).toHaveLength(3);
  });
});
