import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { RolloutReads } from '../../../src/controller/cache/rollout-reads.js';
import { Conflict, RolloutClient } from '../../../src/kube/rollouts.js';
import { createNamespace, kubeClients } from '../../support/env/context.js';
import { Cluster, podinfo } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';

/**
 * A Rollout written through a real RolloutClient, read through RolloutReads
 * whose informer cache holds whatever the test puts in `cache.held`: the
 * informer delivering our own writes late, one by one, as it does under load.
 */
describe('RolloutReads against the test API server', () => {
  it('reads its own chain of writes while the informer delivers them one by one, and never hands out a version a write would lose to', async () => {
    const cluster = new Cluster(await createNamespace('reads'));
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('app') });
    await cluster.createRollout(quickRollout('app'));
    const cache: { held: Rollout | undefined } = { held: await cluster.rollout('app') };
    const clients = await kubeClients();
    // The observer runs only on writes, after `reads` exists.
    const client = new RolloutClient(clients, (before, after) => reads.remember(before, after));
    const reads = new RolloutReads(() => cache.held, client);
    const read = async (): Promise<Rollout> => {
      const r = await reads.get(cluster.namespace, 'app');
      if (!r) throw new Error('the Rollout is gone');
      return r;
    };
    const write = async (message: string): Promise<Rollout> => {
      const written = await client.writeStatus(await read(), { message });
      if (written === Conflict) throw new Error(`writing "${message}" lost to a stale read`);
      return written;
    };

    const first = await write('one');
    const second = await write('two');
    // The informer delivers the first write only now: it is older than our second one.
    cache.held = first;
    expect((await read()).status?.message).toBe('two');
    const third = await write('three');
    expect(third.status?.message).toBe('three');
    // An older version delivered keeps our last write; the one written lets it go (nothing kept per Rollout once the cache has it).
    reads.caughtUp(second);
    expect((await read()).status?.message).toBe('three');
    reads.caughtUp(third);
    expect(await read()).toBe(first);
    // The informer catches up: its copy is used from now on.
    cache.held = third;
    expect(await read()).toBe(third);
    // Someone else writes after us: their version, not our last write.
    await clients.custom.patchNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'app', body: { metadata: { annotations: { touched: 'yes' } } } });
    const theirs = await cluster.rollout('app');
    cache.held = theirs;
    expect(await read()).toBe(theirs);
    expect(second.status?.message).toBe('two');
  });
});
