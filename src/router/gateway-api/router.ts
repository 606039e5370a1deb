import type { Rollout } from '../../api/types.gen.js';
import type { Routes } from '../../domain/model.js';
import type { KubeClients } from '../../kube/client.js';
import { ownedNames } from '../../api/names.js';
import { OwnedObjects } from '../owned-objects.js';
import type { CustomObject } from '../custom-object.js';
import type { RouteCache } from '../route-cache.js';
import type { RouteObservation, Router } from '../router.js';
import { GATEWAY_GROUP, GATEWAY_VERSION, httpRouteSpec, routesOfHttpRouteSpec } from './routes.js';

const KIND = { httproutes: 'HTTPRoute' } as const;

/**
 * The Gateway API (gateway.networking.k8s.io/v1): one HTTPRoute `<service>`
 * whose backendRef weights split traffic between the per-version Services,
 * attached to the apex Service for mesh traffic or to the given Gateways.
 */
export class GatewayApiRouter implements Router {
  private readonly objects: OwnedObjects<keyof typeof KIND>;

  constructor(clients: KubeClients, cache?: RouteCache) {
    this.objects = new OwnedObjects(clients, GATEWAY_GROUP, GATEWAY_VERSION, KIND, cache);
  }

  async ensure(rollout: Rollout, routes: Routes): Promise<void> {
    await this.objects.upsert(rollout, 'httproutes', ownedNames(rollout).virtualService, { ...httpRouteSpec(rollout, routes) });
  }

  async observe(rollout: Rollout): Promise<RouteObservation> {
    const name = ownedNames(rollout).virtualService;
    const route = await this.objects.observe(rollout, 'httproutes', name);
    if (!route) return { routes: undefined };
    const foreign = this.objects.notOwned(rollout, 'httproutes', name, route);
    return foreign ? { routes: undefined, foreign } : { routes: routesOfHttpRouteSpec(rollout, (route.spec ?? {})) };
  }

  routesIn(rollout: Rollout, object: CustomObject): Routes {
    return routesOfHttpRouteSpec(rollout, (object.spec ?? {}));
  }

  foreign(rollout: Rollout): Promise<string[]> {
    return this.objects.foreign(rollout, [['httproutes', ownedNames(rollout).virtualService]]);
  }

  async setRoutes(rollout: Rollout, routes: Routes): Promise<void> {
    // A merge patch replaces the whole rules list, written from the spec with absolute weights.
    await this.objects.patch(rollout, 'httproutes', ownedNames(rollout).virtualService, { spec: { rules: httpRouteSpec(rollout, routes).rules } });
  }

  async release(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const route = await this.objects.read(rollout, 'httproutes', names.virtualService);
    if (!route || this.objects.notOwned(rollout, 'httproutes', names.virtualService, route)) return;
    const [weighted] = httpRouteSpec(rollout, { primary: 100, canary: 0, mirror: 0 }).rules ?? [];
    const rule = { ...weighted, backendRefs: [{ name: names.service, port: rollout.spec.service.port, weight: 100 }] };
    await this.objects.patch(rollout, 'httproutes', names.virtualService, { metadata: { ownerReferences: null }, spec: { rules: [rule] } });
  }
}
