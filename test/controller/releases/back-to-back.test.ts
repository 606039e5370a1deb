import { beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../devenv/env/processes.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

/**
 * Releases set one after another, each image the moment the status says
 * Succeeded (polled every 5 ms), while the tick that ended the previous
 * release may still run: each must start and end on its own.
 */
describe('back-to-back releases', () => {
  const { cluster } = useReleaseCluster('b2b');

  beforeAll(async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('podinfo') });
    await cluster().createRollout(quickRollout('podinfo', { strategy: { canary: { stepWeight: 50, maxWeight: 50 } } }));
    await cluster().waitForRollout('podinfo', 'Initialized', (x) => x.status?.phase === 'Initialized');
  });

  it('releases an image set the moment the previous release reports Succeeded', async () => {
    let previous = (await cluster().rollout('podinfo')).status?.lastAppliedSpec;
    for (let i = 2; i < 10; i++) {
      await cluster().setImage('podinfo', `podinfo:${i}`);
      await waitFor(`release ${i} started`, async () => (await cluster().rollout('podinfo')).status?.lastAppliedSpec !== previous, { timeoutMs: 20_000, intervalMs: 10 });
      await waitFor(`release ${i} Succeeded`, async () => (await cluster().rollout('podinfo')).status?.phase === 'Succeeded', { timeoutMs: 30_000, intervalMs: 5 });
      previous = (await cluster().rollout('podinfo')).status?.lastAppliedSpec;
    }
    expect(previous).toBeDefined();
  }, 600_000);
});
