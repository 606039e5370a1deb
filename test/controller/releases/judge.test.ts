import { afterEach, describe, expect, it } from 'vitest';
import type { MetricSpec } from '../../../src/api/types.gen.js';
import { HEALTHY, meshScenario, stopScenario, type MeshScenario } from '../../support/mesh-scenario.js';

const STEPS = { canary: { stepWeights: [10, 20, 30, 40, 50, 60, 70, 80] } };

describe('releases decided by the sequential judge, against Prometheus and the mesh simulator', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const track = (s: MeshScenario): MeshScenario => {
    cleanups.push(() => stopScenario(s));
    return s;
  };

  it('rolls back a canary with ten times the primary\'s errors as soon as the judge finds it worse, well before the threshold', async () => {
    const errors: MetricSpec = { name: 'request-success-rate', interval: '5s', judge: { test: 'errorRate', alpha: 0.01, margin: '20%' } };
    const { cluster } = track(
      await meshScenario('judge-bad', [errors], {
        primary: { ...HEALTHY, errorRate: 0.01 },
        canary: { ...HEALTHY, errorRate: 0.1 },
        strategy: STEPS,
        threshold: 20,
        analysis: { interval: '5s' },
      }),
    );
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Failed', (x) => x.status?.phase === 'Failed', 120_000);
    expect(r.status?.message).toMatch(/^rolled back: request-success-rate: canary errors [\d.]+% vs primary [\d.]+% \(\d+ of \d+ vs \d+ of \d+ requests\): worse than the primary by more than 20%, p(≤0\.\d+|<0\.0001)$/);
    // Not the threshold: the judge's verdict already weighs every interval.
    expect(r.status?.failedChecks ?? 0).toBeLessThan(20);
    const evidence = r.status?.analysis?.find((a) => a.name === 'request-success-rate');
    expect(evidence).toMatchObject({ passed: false, conclusion: 'worse' });
    expect(evidence?.eValue).toBeGreaterThanOrEqual(100);
    expect(evidence?.value).toBeGreaterThan(evidence?.primaryValue ?? Infinity);
    const vs = await cluster.virtualService('podinfo');
    expect(vs.spec.http[0]?.route.map((x) => x.weight)).toEqual([100, 0]);
  });

  it('promotes a canary as fast as the primary early, once the judge has the evidence, keeping the measurements', async () => {
    const latency: MetricSpec = { name: 'request-duration', interval: '5s', judge: { test: 'latency', alpha: 0.01, margin: '20%', promoteEarly: true } };
    const { cluster } = track(await meshScenario('judge-good', [latency], { rps: 3000, strategy: STEPS, threshold: 20, analysis: { interval: '5s' } }));
    const recorder = await cluster.recordWeights('podinfo');
    await cluster.setImage('podinfo', 'podinfo:2');
    const r = await cluster.waitForRollout('podinfo', 'Succeeded', (x) => x.status?.phase === 'Succeeded', 120_000);
    recorder.stop();
    const steps = recorder.weights.filter((w) => w > 0);
    expect(steps.length).toBeGreaterThan(0);
    // Promoted before the last step of the eight.
    expect(Math.max(...steps)).toBeLessThan(80);
    const promoting = (await cluster.eventsOnce('podinfo', 'Promoting')).find((e) => e.reason === 'Promoting');
    expect(promoting?.message).toMatch(/^promoting early: request-duration: canary p99 [\d.]+ ms vs primary [\d.]+ ms \(from the histogram buckets\): not worse than the primary by 20%, p≤/);
    const evidence = r.status?.analysis?.find((a) => a.name === 'request-duration');
    expect(evidence?.conclusion).toBe('not-worse');
    expect((evidence?.history ?? []).length).toBeGreaterThan(0);
    expect(evidence?.history?.every((m) => typeof m.weight === 'number')).toBe(true);
  });
});
