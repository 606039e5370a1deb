import { afterEach, describe, expect, it } from 'vitest';
import { PrometheusProvider } from '../../../src/metrics/providers/prometheus/provider.js';
import type { MeshSimulator } from '../../../devenv/sim/mesh-simulator.js';
import { env } from '../../support/env/context.js';
import { builtin, near, pollQuery, requestRate, valueOf } from './prometheus-poll.js';
import { createVirtualService, simulateService, type Route } from './sim-fixture.js';

describe('MeshSimulator scraped by the real Prometheus', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A simulator for `podinfo` in a fresh namespace, stopped after the test. */
  async function simulate(prefix: string, options: { route?: Route; rps?: number } = {}): Promise<{ sim: MeshSimulator; namespace: string }> {
    const service = await simulateService(prefix, options);
    cleanups.push(service.stop);
    return service;
  }

  it('sends all traffic to the primary while there is no VirtualService: the canary has no data', async () => {
    const { sim, namespace } = await simulate('sim-novs');
    expect(sim.split().live).toEqual({ primary: 1, canary: 0 });
    await pollQuery(env().prometheusUrl, requestRate(namespace, 'podinfo-primary', '5s'), near(200, 0.05));
    const canary = await new PrometheusProvider({ address: env().prometheusUrl }).instantQuery(
      builtin('request-success-rate', namespace, 'podinfo', '5s'),
    );
    expect(canary).toEqual({ kind: 'no-data' });
  });

  it('splits the request rate 80/20 when the VirtualService is written while it runs', async () => {
    const { sim, namespace } = await simulate('sim-split');
    await createVirtualService(namespace, 'podinfo', { primary: 80, canary: 20 });
    await expect.poll(() => sim.split().live, { timeout: 10_000 }).toEqual({ primary: 0.8, canary: 0.2 });
    const share = `${requestRate(namespace, 'podinfo', '5s')} / (${requestRate(namespace, 'podinfo', '5s')} + ${requestRate(namespace, 'podinfo-primary', '5s')})`;
    const outcome = await pollQuery(env().prometheusUrl, share, near(0.2, 0.02));
    expect(valueOf(outcome)).toBeCloseTo(0.2, 2);
    const canaryRate = await pollQuery(env().prometheusUrl, requestRate(namespace, 'podinfo', '5s'), near(40, 0.05));
    expect(valueOf(canaryRate)).toBeGreaterThan(38);
  });

  it('shows a canary answering 20% 5xx at ~80% through the built-in success rate, and the primary at 100%', async () => {
    const { sim, namespace } = await simulate('sim-errors', { route: { primary: 50, canary: 50 } });
    sim.setVersion('canary', { errorRate: 0.2 });
    const canary = await pollQuery(env().prometheusUrl, builtin('request-success-rate', namespace, 'podinfo', '5s'), near(80, 0.02));
    expect(valueOf(canary)).toBeGreaterThan(78);
    expect(valueOf(canary)).toBeLessThan(82);
    const primary = await pollQuery(env().prometheusUrl, builtin('request-success-rate', namespace, 'podinfo-primary', '5s'), near(100, 0.001));
    expect(valueOf(primary)).toBeCloseTo(100, 1);
  });

  it('shows a canary whose latency triples at run time at ~3x the p99 through the built-in request-duration', async () => {
    const { sim, namespace } = await simulate('sim-latency', { route: { primary: 50, canary: 50 } });
    const canaryP99 = builtin('request-duration', namespace, 'podinfo', '5s');
    await pollQuery(env().prometheusUrl, canaryP99, near(100, 0.03));
    sim.setVersion('canary', { latencyMs: { p50: 60, p99: 300 } });
    const slow = await pollQuery(env().prometheusUrl, canaryP99, near(300, 0.03));
    const primary = await pollQuery(env().prometheusUrl, builtin('request-duration', namespace, 'podinfo-primary', '5s'), near(100, 0.03));
    expect(valueOf(slow) / valueOf(primary)).toBeGreaterThan(2.85);
    expect(valueOf(slow) / valueOf(primary)).toBeLessThan(3.15);
  });

  it('sends the mirrored share to the canary on top of the live split, as Envoy does', async () => {
    const { sim, namespace } = await simulate('sim-mirror', { route: { primary: 100, canary: 0, mirror: 50 } });
    expect(sim.split()).toEqual({ live: { primary: 1, canary: 0 }, mirrored: { primary: 0, canary: 0.5 } });
    const ratio = `${requestRate(namespace, 'podinfo', '5s')} / ${requestRate(namespace, 'podinfo-primary', '5s')}`;
    const outcome = await pollQuery(env().prometheusUrl, ratio, near(0.5, 0.02));
    expect(valueOf(outcome)).toBeCloseTo(0.5, 1);
  });

  it('follows a rate change and stops counting at rate 0', async () => {
    const { sim, namespace } = await simulate('sim-rate', { rps: 50 });
    await pollQuery(env().prometheusUrl, requestRate(namespace, 'podinfo-primary', '5s'), near(50, 0.05));
    sim.setRate(0);
    const before = sim.totals().primary;
    await pollQuery(env().prometheusUrl, requestRate(namespace, 'podinfo-primary', '5s'), (o) => o.kind === 'value' && o.value === 0);
    expect(sim.totals().primary).toBe(before);
  });
});
