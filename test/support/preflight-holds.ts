import { expect } from 'vitest';
import type { Rollout, RolloutSpec } from '../../src/api/types.gen.js';
import { mergePatch } from './env/context.js';
import { podinfo, type Cluster } from './harness.js';
import { quickRollout } from './rollouts.js';

/** The condition the preflight sets while a reference does not resolve. */
export const HELD = 'ReferencesResolved';

export function heldCondition(r: Rollout): { status: string; message: string } | undefined {
  return r.status?.conditions?.find((c) => c.type === HELD);
}

/** A Deployment `name` and its Rollout, Initialized. */
export async function initialized(cluster: Cluster, name: string): Promise<void> {
  await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo(name) });
  await cluster.createRollout(quickRollout(name));
  await cluster.waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
}

/** Changes the Rollout's spec, then the image: a new revision to release under the new spec. */
export async function release(cluster: Cluster, name: string, spec: Partial<RolloutSpec>): Promise<void> {
  await cluster.custom.patchNamespacedCustomObject(
    { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name, body: { spec } },
    mergePatch,
  );
  await cluster.setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
}

/** Held by the preflight naming `reference`: weight 0 in the status and on the canary's route, and a Warning Event. */
export async function expectHeld(cluster: Cluster, name: string, reference: string): Promise<Rollout> {
  const r = await cluster.waitForRollout(name, `held naming ${reference}`, (x) => heldCondition(x)?.message.includes(reference) === true);
  expect(r.status).toMatchObject({ phase: 'Progressing', canaryWeight: 0, mirrorWeight: 0, failedChecks: 0 });
  expect(heldCondition(r)?.status).toBe('False');
  const vs = await cluster.virtualService(name);
  expect(vs.spec.http[0]?.route.find((d) => d.destination.host === `${name}-canary`)?.weight).toBe(0);
  const events = await cluster.eventsOnce(name, 'ReferencesUnresolved');
  expect(events.find((e) => e.reason === 'ReferencesUnresolved' && e.message.includes(reference))?.type).toBe('Warning');
  return r;
}

/** Released to Succeeded, no longer held, without a rollback. */
export async function expectReleased(cluster: Cluster, name: string, timeoutMs = 60_000): Promise<Rollout> {
  const r = await cluster.waitForRollout(name, 'Succeeded', (x) => x.status?.phase === 'Succeeded', timeoutMs);
  expect(heldCondition(r)).toBeUndefined();
  const reasons = (await cluster.eventsOnce(name, 'Succeeded')).map((e) => e.reason);
  expect(reasons).not.toContain('Rollback');
  expect(reasons).not.toContain('Failed');
  return r;
}
