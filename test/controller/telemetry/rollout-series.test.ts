import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { Rollout, RolloutStatus } from '../../../src/api/types.gen.js';
import { RolloutMetrics } from '../../../src/controller/telemetry/rollout-series.js';
import { rollout } from '../../support/rollouts.js';

function withSuccessRate(status: RolloutStatus): Rollout {
  return rollout({ namespace: 'shop', spec: { analysis: { metrics: [{ name: 'request-success-rate', thresholdRange: { min: 99, max: 100 } }] } }, status });
}

const START = '2026-11-22T10:00:00.000Z';
const releasing: RolloutStatus = {
  phase: 'Progressing',
  canaryWeight: 30,
  failedChecks: 1,
  lastAppliedSpec: 'bbbbbbbbbbbbbbbb',
  analysis: [{ name: 'request-success-rate', value: 98.5, passed: false, message: 'request-success-rate 98.5 < 99', time: START }],
  conditions: [{ type: 'Promoted', status: 'Unknown', reason: 'Progressing', message: '', lastTransitionTime: START }],
};

async function scrape(registry: Registry): Promise<string> {
  return registry.metrics();
}

describe('per-Rollout metrics', () => {
  it('report weight, phase, failed checks and each analysis value with its bounds from the cached Rollouts', async () => {
    const registry = new Registry();
    new RolloutMetrics(registry, () => [withSuccessRate(releasing)]);
    const text = await scrape(registry);
    // The gauges are emptied after each read (nothing per Rollout between scrapes) and filled again on the next.
    expect(await scrape(registry)).toBe(text);
    const l = 'namespace="shop",rollout="podinfo"';
    expect(text).toContain(`flowshift_rollout_canary_weight{${l}} 30`);
    expect(text).toContain(`flowshift_rollout_failed_checks{${l}} 1`);
    expect(text).toContain(`flowshift_rollout_phase{${l},phase="Progressing"} 1`);
    // Only the phase it is in: no series at 0 for the ten others.
    expect(text).not.toContain('phase="Succeeded"');
    expect(text).toContain(`flowshift_rollout_analysis_value{${l},metric="request-success-rate"} 98.5`);
    expect(text).toContain(`flowshift_rollout_analysis_passed{${l},metric="request-success-rate"} 0`);
    expect(text).toContain(`flowshift_rollout_analysis_threshold{${l},metric="request-success-rate",bound="min"} 99`);
    expect(text).toContain(`flowshift_rollout_analysis_threshold{${l},metric="request-success-rate",bound="max"} 100`);
    expect(text).toContain(`flowshift_rollout_info{${l},target="podinfo",revision="bbbbbbbbbb"} 1`);
    // Present at 0 before the first promotion, so increase() sees the first one.
    expect(text).toContain(`flowshift_rollout_promotions_total{${l}} 0`);
  });

  it('starts the release duration at 0 only for a Rollout seen releasing, and the counters for every Rollout', async () => {
    const registry = new Registry();
    let cached = [withSuccessRate({ phase: 'Initialized' })];
    new RolloutMetrics(registry, () => cached);
    const l = 'namespace="shop",rollout="podinfo"';
    const idle = await scrape(registry);
    expect(idle).toContain(`flowshift_rollout_promotions_total{${l}} 0`);
    expect(idle).toContain(`flowshift_rollout_rollbacks_total{${l}} 0`);
    expect(idle).not.toContain('flowshift_rollout_release_duration_seconds_count{');
    cached = [withSuccessRate(releasing)];
    const during = await scrape(registry);
    expect(during).toContain(`flowshift_rollout_release_duration_seconds_count{${l},outcome="promoted"} 0`);
    expect(during).toContain(`flowshift_rollout_release_duration_seconds_count{${l},outcome="rolled-back"} 0`);
    // Once started they stay, as counters do, after the release ends.
    cached = [withSuccessRate({ ...releasing, phase: 'Succeeded' })];
    expect(await scrape(registry)).toContain(`flowshift_rollout_release_duration_seconds_count{${l},outcome="promoted"} 0`);
  });

  it('drops the series of a Rollout that left the cache', async () => {
    const registry = new Registry();
    let cached = [withSuccessRate(releasing)];
    new RolloutMetrics(registry, () => cached);
    await scrape(registry);
    cached = [];
    expect(await scrape(registry)).not.toContain('flowshift_rollout_canary_weight{');
  });

  it('counts a promotion once and observes the release duration from when the release started', async () => {
    const registry = new Registry();
    const metrics = new RolloutMetrics(registry, () => []);
    const before = withSuccessRate({ ...releasing, phase: 'Finalising' });
    const after = withSuccessRate({ ...releasing, phase: 'Succeeded' });
    metrics.recordTransition(before, after, new Date('2026-11-22T10:05:00.000Z'));
    // The same phase again (a later tick of a Succeeded Rollout) is no transition.
    metrics.recordTransition(after, after, new Date('2026-11-22T10:06:00.000Z'));
    const text = await scrape(registry);
    // The gauges are emptied after each read (nothing per Rollout between scrapes) and filled again on the next.
    expect(await scrape(registry)).toBe(text);
    const l = 'namespace="shop",rollout="podinfo"';
    expect(text).toContain(`flowshift_rollout_promotions_total{${l}} 1`);
    expect(text).toContain(`flowshift_rollout_rollbacks_total{${l}} 0`);
    expect(text).toContain(`flowshift_rollout_release_duration_seconds_sum{${l},outcome="promoted"} 300`);
    expect(text).toContain(`flowshift_rollout_release_duration_seconds_count{${l},outcome="promoted"} 1`);
  });
});
