import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WebhookSpec } from '../../../src/api/types.gen.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { HookServer } from '../../support/hook-server.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

const SLOW = 30;
const INTERVAL_S = 2;

/**
 * Issue 22, point 5: thirty tenants whose webhooks never answer, and one
 * failing canary beside them, on one controller with the default
 * concurrency (20 ticks at once). A tick waits for webhooks half a second
 * at most and lets the calls run on, so the slow tenants hold only their own
 * Rollouts, and the failing canary is rolled back on its own schedule.
 */
describe('one tenant cannot stall another', () => {
  const { cluster } = useReleaseCluster('tenants');
  let hooks: HookServer;

  beforeAll(async () => {
    hooks = await HookServer.start();
    // Never answers (the controller's own timeout is a minute).
    hooks.on('/hang', () => undefined);
    const hang = (name: string, type: NonNullable<WebhookSpec['type']>): WebhookSpec => ({ name, type, url: hooks.url('/hang'), timeout: '60s' });
    const c = cluster();
    const slow = Array.from({ length: SLOW }, (_, i) => `slow-${i}`);
    await Promise.all(
      slow.map(async (name) => {
        await c.apps.createNamespacedDeployment({ namespace: c.namespace, body: podinfo(name) });
        await c.createRollout(
          quickRollout(name, { analysis: { interval: `${INTERVAL_S}s`, threshold: 2, webhooks: [hang('load', 'rollout'), hang('panic', 'rollback'), hang('more', 'confirm-traffic-increase')] } }),
        );
      }),
    );
    await c.apps.createNamespacedDeployment({ namespace: c.namespace, body: podinfo('failing') });
    await c.createRollout(
      quickRollout('failing', { analysis: { interval: `${INTERVAL_S}s`, threshold: 1, metrics: [{ name: 'always-zero', query: 'vector(0)', thresholdRange: { min: 1 } }] } }),
    );
    for (const name of [...slow, 'failing']) await c.waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized', 120_000);
    // Every slow tenant releasing, and held by its hooks.
    await Promise.all(slow.map((name) => c.setImage(name, 'podinfo:2')));
    for (const name of slow) await c.waitForRollout(name, 'held by its hooks', (r) => (r.status?.message ?? '').includes('no answer yet'), 120_000);
  }, 300_000);

  afterAll(async () => {
    await hooks.stop();
  });

  it(`rolls the failing canary back within one interval plus 2 s of its first traffic, while ${SLOW} Rollouts wait on hooks that never answer`, async () => {
    const c = cluster();
    await c.setImage('failing', 'podinfo:2');
    const canaryWeight = async (): Promise<number> => (await c.virtualService('failing')).spec.http[0]?.route.find((r) => r.destination.host === 'failing-canary')?.weight ?? 0;
    let trafficAt = 0;
    await waitFor('the failing canary takes traffic', async () => {
      trafficAt = Date.now();
      return (await canaryWeight()) > 0;
    }, { timeoutMs: 60_000, intervalMs: 20 });
    let backAt = 0;
    await waitFor('its routes back on the primary', async () => {
      backAt = Date.now();
      return (await canaryWeight()) === 0;
    }, { timeoutMs: 60_000, intervalMs: 20 });
    const tookMs = backAt - trafficAt;
    console.log(`failing canary: live traffic for ${tookMs} ms beside ${SLOW} Rollouts with hanging hooks (analysis interval ${INTERVAL_S} s)`);
    expect(tookMs).toBeLessThan(INTERVAL_S * 1000 + 2_000);
    // Routes go back to the primary before the Failed status is written (safe state first): wait for the status.
    const failed = await c.waitForRollout('failing', 'Failed', (r) => r.status?.phase === 'Failed', 10_000);
    expect(failed.status).toMatchObject({ phase: 'Failed', canaryWeight: 0 });
    // The slow tenants are held, not failed: a hook that has not answered is not a no.
    for (let i = 0; i < SLOW; i++) {
      expect((await c.rollout(`slow-${i}`)).status, `slow-${i}`).toMatchObject({ phase: 'Progressing', canaryWeight: 0, failedChecks: 0 });
    }
  }, 180_000);
});
