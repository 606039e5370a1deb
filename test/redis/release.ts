import { expect } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import { Cluster, podinfo } from '../support/harness.js';
import { quickRollout } from '../support/rollouts.js';

export const STEPS = [20, 40, 60, 80] as const;

/** A Rollout with four steps, two seconds apart, Initialized and ready to release. */
export async function initialized(cluster: Cluster, name: string): Promise<void> {
  await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo(name) });
  await cluster.createRollout(quickRollout(name, { strategy: { canary: { stepWeights: [...STEPS] } }, analysis: { interval: '2s', threshold: 2 } }));
  await cluster.waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized', 60_000);
}

/**
 * Releases a new image; `midway` runs once the first step is live. Every
 * weight the VirtualService took is checked: no step lost, none repeated.
 */
export async function releaseWith(cluster: Cluster, name: string, midway: (r: Rollout) => Promise<void> = () => Promise.resolve()): Promise<void> {
  const recorder = await cluster.recordWeights(name);
  try {
    await cluster.setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const progressing = await cluster.waitForRollout(name, 'first step live', (r) => (r.status?.canaryWeight ?? 0) >= STEPS[0], 60_000);
    await midway(progressing);
    await cluster.waitForRollout(name, 'Succeeded', (r) => r.status?.phase === 'Succeeded', 120_000);
  } finally {
    recorder.stop();
  }
  expect(recorder.weights).toEqual([0, ...STEPS, 0]);
}
