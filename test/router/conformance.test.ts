import { beforeAll, describe, expect, it } from 'vitest';
import type { MeshProvider, Rollout } from '../../src/api/types.gen.js';
import type { Routes } from '../../src/domain/model.js';
import type { KubeClients } from '../../src/kube/client.js';
import { GROUP, VERSION, ownedNames } from '../../src/api/names.js';
import { ownedBy } from '../../src/kube/ownership.js';
import type { CustomObject } from '../../src/router/custom-object.js';
import type { RouterPlugin } from '../../src/router/plugin.js';
import { ROUTERS } from '../../src/router/registry.js';
import { NotCached, type RouteCache } from '../../src/router/route-cache.js';
import { createNamespace, kubeClients } from '../support/env/context.js';

// One suite, run for every entry of the registry: a new router passes it, or
// it is not done. Everything here goes through the Router interface and the
// plugin's own API description, never through a router's internals.

const ALL_PRIMARY: Routes = { primary: 100, canary: 0, mirror: 0 };

describe.each(Object.entries(ROUTERS) as [MeshProvider, RouterPlugin][])('the %s router against the test API server', (provider, plugin) => {
  let clients: KubeClients;
  let namespace: string;
  beforeAll(async () => {
    clients = await kubeClients();
    namespace = await createNamespace(`router-${provider}`);
  });

  /** A Rollout as the API server stores it (its uid is what ownership checks). */
  async function createRollout(name: string, service: string, strategy: Rollout['spec']['strategy'] = { canary: { stepWeights: [20, 80] } }): Promise<Rollout> {
    const body: Rollout = {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name, namespace },
      spec: { provider, targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name }, service: { name: service, port: 9898 }, strategy },
    };
    return (await clients.custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: 'rollouts', namespace, body })) as Rollout;
  }

  /** The route object that carries the weights, read straight from the API server. */
  async function readRoute(rollout: Rollout): Promise<CustomObject> {
    const { group, version } = plugin.api;
    return (await clients.custom.getNamespacedCustomObject({ group, version, plural: plugin.plural, namespace, name: ownedNames(rollout).virtualService })) as CustomObject;
  }

  it('ensures the routes with everything on the primary, and observes them back', async () => {
    const rollout = await createRollout('ensure', 'ensure');
    const router = plugin.create(clients);
    await router.ensure(rollout, ALL_PRIMARY);
    expect(await router.observe(rollout)).toEqual({ routes: ALL_PRIMARY });
    expect(await router.foreign(rollout)).toEqual([]);
    const route = await readRoute(rollout);
    expect(ownedBy(route.metadata, rollout)).toBe(true);
    // Drift detection reads the informer's copy the same way.
    expect(router.routesIn(rollout, route)).toEqual(ALL_PRIMARY);
    // Ensuring again is harmless: nothing to write.
    await router.ensure(rollout, ALL_PRIMARY);
    expect((await readRoute(rollout)).metadata?.resourceVersion).toBe(route.metadata?.resourceVersion);
  });

  it('writes 80/20 with setRoutes, as absolute weights a repeated write leaves alone', async () => {
    const rollout = await createRollout('split', 'split');
    const router = plugin.create(clients);
    await router.ensure(rollout, ALL_PRIMARY);
    const split: Routes = { primary: 80, canary: 20, mirror: 0 };
    await router.setRoutes(rollout, split);
    await router.setRoutes(rollout, split);
    expect(await router.observe(rollout)).toEqual({ routes: split });
    expect(router.routesIn(rollout, await readRoute(rollout))).toEqual(split);
    await router.setRoutes(rollout, ALL_PRIMARY);
    expect(await router.observe(rollout)).toEqual({ routes: ALL_PRIMARY });
  });

  it('mirrors a share of the traffic to the canary, or refuses a mirrored strategy up front', async () => {
    const strategy = { canary: { stepWeights: [20, 80], mirror: { percentage: 50, iterations: 2 } } };
    const rollout = await createRollout('mirror', 'mirror', strategy);
    const refusals = plugin.problems(rollout);
    if (refusals.length) {
      // A router that cannot mirror says so before anything is written.
      expect(refusals.join('\n')).toMatch(/spec\.strategy\.canary\.mirror/);
      return;
    }
    const router = plugin.create(clients);
    await router.ensure(rollout, ALL_PRIMARY);
    const mirrored: Routes = { primary: 100, canary: 0, mirror: 50 };
    await router.setRoutes(rollout, mirrored);
    expect(await router.observe(rollout)).toEqual({ routes: mirrored });
    expect(router.routesIn(rollout, await readRoute(rollout))).toEqual(mirrored);
    // Moving on from the mirror removes it.
    await router.setRoutes(rollout, { primary: 80, canary: 20, mirror: 0 });
    expect(await router.observe(rollout)).toEqual({ routes: { primary: 80, canary: 20, mirror: 0 } });
  });

  it('reports a route object under its generated name that another Rollout owns, and never overwrites it', async () => {
    // Two Rollouts with one service name: the same generated names, the first one's objects.
    const owner = await createRollout('first', 'shared');
    const rollout = await createRollout('second', 'shared');
    const router = plugin.create(clients);
    await router.ensure(owner, { primary: 70, canary: 30, mirror: 0 });
    const before = await readRoute(owner);

    const foreign = await router.foreign(rollout);
    expect(foreign).not.toEqual([]);
    for (const message of foreign) expect(message).toMatch(new RegExp(`^\\S+ ${namespace}/shared\\S* already exists and is not managed by this Rollout \\(controller: flowshift Rollout ${namespace}/first\\)`));
    expect(foreign.join('\n')).toContain(`${namespace}/shared `);
    // Every route object has a generated name: the fix is another service name, for every router.
    for (const message of foreign) expect(message).toContain('set spec.service.name so flowshift generates other names');
    const observed = await router.observe(rollout);
    expect(observed.routes).toBeUndefined();
    expect(observed.foreign).toMatch(/not managed by this Rollout/);

    await expect(router.ensure(rollout, ALL_PRIMARY)).rejects.toThrow(/not managed by this Rollout/);
    const after = await readRoute(owner);
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
    expect(router.routesIn(owner, after)).toEqual({ primary: 70, canary: 30, mirror: 0 });
  });

  it('reads its route through the route cache under the plural the informer watches', async () => {
    const rollout = await createRollout('cached', 'cached');
    await plugin.create(clients).ensure(rollout, ALL_PRIMARY);
    const asked: string[] = [];
    // An informer that holds the kind but not this object: "not ours or not there", no read.
    const cache: RouteCache = {
      route: (plural) => {
        asked.push(plural);
        return plural === plugin.plural ? undefined : NotCached;
      },
    };
    expect(await plugin.create(clients, cache).observe(rollout)).toEqual({ routes: undefined });
    expect(asked).toContain(plugin.plural);
  });

  it('releases the route to the apex service, no longer owned, so it outlives the Rollout', async () => {
    const rollout = await createRollout('release', 'release');
    const router = plugin.create(clients);
    await router.ensure(rollout, ALL_PRIMARY);
    await router.setRoutes(rollout, { primary: 60, canary: 40, mirror: 0 });
    await router.release(rollout);
    const names = ownedNames(rollout);
    const route = await readRoute(rollout);
    expect(ownedBy(route.metadata, rollout)).toBe(false);
    expect(route.metadata?.ownerReferences ?? []).toEqual([]);
    const spec = JSON.stringify(route.spec);
    expect(spec).toContain(`"${names.service}"`);
    expect(spec).not.toContain(names.canaryService);
    expect(spec).not.toContain(names.primaryService);
    // Released, the route is not this Rollout's any more: observing says so, and a second release changes nothing.
    expect((await router.observe(rollout)).foreign).toMatch(/not managed by this Rollout/);
    await router.release(rollout);
    expect((await readRoute(rollout)).metadata?.resourceVersion).toBe(route.metadata?.resourceVersion);
  });
});
