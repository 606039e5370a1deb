import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { createNamespace, env } from '../../support/env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';

const STEPS = [0, 20, 40, 60, 0];

/** Deployment `app` with an Initialized Rollout (interval as given, threshold 2). */
async function initializedApp(cluster: Cluster, interval: string): Promise<void> {
  await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('app') });
  await cluster.createRollout(quickRollout('app', { analysis: { interval, threshold: 2 } }));
  await cluster.waitForRollout('app', 'Initialized', (r) => r.status?.phase === 'Initialized');
}

describe('release resilience', () => {
  const running: ControllerProcess[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  it('continues a release after the controller is SIGKILLed mid-release, no step skipped or repeated', async () => {
    const ns = await createNamespace('restart');
    const cluster = new Cluster(ns);
    running.push(await startController(ns));
    await initializedApp(cluster, '2s');

    const recorder = await cluster.recordWeights('app');
    await cluster.setImage('app', 'podinfo:2');
    await cluster.waitForRollout('app', 'weight 20', (r) => r.status?.canaryWeight === 20);
    const killed = running.pop();
    process.kill(killed?.pid ?? 0, 'SIGKILL');
    await killed?.exited;

    running.push(await startController(ns));
    await cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    recorder.stop();
    expect(recorder.weights).toEqual(STEPS);
    // Each transition recorded once: the restarted controller repeated none (steps are not Events: the routes above show each once).
    expect(await cluster.transitionCounts('app')).toEqual({ NewRevision: 1, Promoting: 1, Succeeded: 1 });
  });

  it('drives one release with three replicas on one Redis without duplicated or skipped steps', async () => {
    const ns = await createNamespace('replicas');
    const cluster = new Cluster(ns);
    running.push(...(await Promise.all([startController(ns), startController(ns), startController(ns)])));
    await initializedApp(cluster, '1s');

    const recorder = await cluster.recordWeights('app');
    await cluster.setImage('app', 'podinfo:2');
    await cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    recorder.stop();
    expect(recorder.weights).toEqual(STEPS);
    expect(await cluster.transitionCounts('app')).toEqual({ NewRevision: 1, Promoting: 1, Succeeded: 1 });
  });

  it('completes a release when Redis is flushed mid-release', async () => {
    const ns = await createNamespace('flush');
    const cluster = new Cluster(ns);
    const redisDb = 7;
    running.push(await startController(ns, { redisDb }));
    await initializedApp(cluster, '2s');

    const recorder = await cluster.recordWeights('app');
    await cluster.setImage('app', 'podinfo:2');
    await cluster.waitForRollout('app', 'weight 20', (r) => r.status?.canaryWeight === 20);
    const redis = new Redis(`${env().redisUrl}/${redisDb}`);
    expect(await redis.dbsize()).toBeGreaterThan(0);
    await redis.flushdb();
    redis.disconnect();

    await cluster.waitForRollout('app', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 90_000);
    recorder.stop();
    expect(recorder.weights).toEqual(STEPS);
  });
});
