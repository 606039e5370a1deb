import { describe, expect, it } from 'vitest';
import type { Rollout, RolloutSpec } from '../../../src/api/types.gen.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { KubeletAnnotation } from '../../support/env/context.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';
import { recordRoute, weightsOf, type RouteView } from '../../support/route-recorder.js';

describe.each(['istio', 'gatewayapi'] as const)('every strategy on the %s router, through the controller process', (provider) => {
  const { cluster } = useReleaseCluster(`strat-${provider}`);

  async function initialized(name: string, spec: Partial<RolloutSpec>): Promise<void> {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo(name) });
    await cluster().createRollout(quickRollout(name, { provider, ...spec }));
    await cluster().waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
  }

  async function release(name: string): Promise<{ rollout: Rollout; views: RouteView[] }> {
    const recorder = await recordRoute(cluster().namespace, provider, name);
    await cluster().setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const rollout = await cluster().waitForRollout(name, 'Succeeded or Failed', (r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed', 60_000);
    recorder.stop();
    return { rollout, views: recorder.views };
  }

  it('canary: steps the weights and promotes', async () => {
    await initialized('canary', { strategy: { canary: { stepWeights: [30, 60] } } });
    const { rollout, views } = await release('canary');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(weightsOf(views)).toEqual([30, 60, 0]);
  });

  it('blue/green: no live traffic during the iterations, then all of it at once, then the promoted primary', async () => {
    await initialized('bluegreen', { strategy: { blueGreen: { iterations: 2 } } });
    const { rollout, views } = await release('bluegreen');
    expect(rollout.status).toMatchObject({ phase: 'Succeeded', strategy: 'blueGreen', iterations: 2 });
    expect(weightsOf(views)).toEqual([100, 0]);
  });

  it('A/B testing: only matching requests reach the canary, then promotion removes the match', async () => {
    await initialized('abtest', { strategy: { abTesting: { iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } } });
    const { rollout, views } = await release('abtest');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(views.some((v) => v.match && v.weights[1] === 0)).toBe(true);
    expect(views.every((v) => v.weights[1] === 0)).toBe(true);
    expect(views.at(-1)?.match).toBe(false);
  });

  it('A/B testing: a canary that stops being ready is rolled back with the match removed', async () => {
    await initialized('abfail', { strategy: { abTesting: { iterations: 20, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } }, progressDeadlineSeconds: 3 });
    const recorder = await recordRoute(cluster().namespace, provider, 'abfail');
    await cluster().setImage('abfail', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await cluster().waitForRollout('abfail', 'matching', (r) => r.status?.matchRouting === true, 30_000);
    await cluster().updateDeployment('abfail', (d) => {
      d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [KubeletAnnotation.Unready]: 'true' } };
    });
    const rollout = await cluster().waitForRollout('abfail', 'Failed', (r) => r.status?.phase === 'Failed', 30_000);
    // The rollback's route write and its status write go out together: the route's watch event may come second.
    const primaryOnly = (v: RouteView | undefined): boolean => v?.weights[0] === 100 && v.weights[1] === 0 && !v.match;
    await waitFor('the routes back on the primary', () => Promise.resolve(primaryOnly(recorder.views.at(-1))), { timeoutMs: 10_000 }).catch(() => undefined);
    recorder.stop();
    expect(rollout.status?.message).toMatch(/^rolled back: canary abfail not ready/);
    expect(recorder.views.some((v) => v.match)).toBe(true);
    expect(recorder.views.at(-1)).toMatchObject({ weights: [100, 0], match: false });
  });

  it('session affinity: users sent to the canary are pinned to it while it has live traffic', async () => {
    await initialized('sticky', { strategy: { canary: { stepWeights: [20], sessionAffinity: { cookieName: 'pin' } } } });
    const { rollout, views } = await release('sticky');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(views.find((v) => v.weights[1] === 20)?.affinity).toBe(true);
    expect(views.at(-1)).toMatchObject({ weights: [100, 0], affinity: false });
  });
});
