import type { KubeClients } from '../../kube/client.js';
import type { Rollout, VirtualServiceRef } from '../../api/types.gen.js';
import type { Routes } from '../../domain/model.js';
import { ISTIO_GROUP as group, ISTIO_VERSION as version } from './routes.js';
import { ownedNames } from '../../api/names.js';
import { OwnedObjects } from '../owned-objects.js';
import type { CustomObject } from '../custom-object.js';
import type { RouteCache } from '../route-cache.js';
import { RouteError, type RouteObservation, type Router } from '../router.js';
import { httpRoutes, routesOfHttpRoute, routesOfVirtualService, weightedRoute, type HttpRoute, type VirtualServiceSpec } from './routes.js';


const KIND = { virtualservices: 'VirtualService', destinationrules: 'DestinationRule' } as const;
type Plural = keyof typeof KIND;

/**
 * Istio: two DestinationRules (one per version) and one VirtualService,
 * generated and owned, or the user's own VirtualService adopted through
 * spec.service.virtualServiceRef, of which only one route's destinations are
 * written.
 */
export class IstioRouter implements Router {
  private readonly objects: OwnedObjects<Plural>;

  constructor(clients: KubeClients, cache?: RouteCache) {
    this.objects = new OwnedObjects(clients, group, version, KIND, cache);
  }

  async ensure(rollout: Rollout, routes: Routes): Promise<void> {
    const names = ownedNames(rollout);
    const trafficPolicy = rollout.spec.service.trafficPolicy;
    const rule = (host: string): Record<string, unknown> => ({ host, ...(trafficPolicy ? { trafficPolicy } : {}) });
    await Promise.all([
      this.objects.upsert(rollout, 'destinationrules', names.primaryService, rule(names.primaryService)),
      this.objects.upsert(rollout, 'destinationrules', names.canaryService, rule(names.canaryService)),
    ]);
    if (rollout.spec.service.virtualServiceRef) await this.setRoutes(rollout, routes);
    else await this.objects.upsert(rollout, 'virtualservices', names.virtualService, virtualServiceSpec(rollout, routes));
  }

  async observe(rollout: Rollout): Promise<RouteObservation> {
    const adopted = rollout.spec.service.virtualServiceRef;
    const { virtualService } = ownedNames(rollout);
    // An adopted VirtualService is not labelled as flowshift's, so no informer holds it: read.
    if (adopted) return observeAdopted(rollout, adopted, await this.objects.read(rollout, 'virtualservices', adopted.name));
    const vs = await this.objects.observe(rollout, 'virtualservices', virtualService);
    if (!vs) return { routes: undefined };
    const foreign = this.objects.notOwned(rollout, 'virtualservices', virtualService, vs);
    return foreign ? { routes: undefined, foreign } : { routes: routesOfVirtualService(rollout, vs.spec ?? {}) };
  }

  routesIn(rollout: Rollout, object: CustomObject): Routes {
    return routesOfVirtualService(rollout, (object.spec ?? {}));
  }

  async foreign(rollout: Rollout): Promise<string[]> {
    const names = ownedNames(rollout);
    return this.objects.foreign(rollout, [
      ['destinationrules', names.primaryService],
      ['destinationrules', names.canaryService],
      // An adopted VirtualService is the user's by design.
      ...(rollout.spec.service.virtualServiceRef ? [] : [['virtualservices', names.virtualService] as const]),
    ]);
  }

  async setRoutes(rollout: Rollout, routes: Routes): Promise<void> {
    const names = ownedNames(rollout);
    const adopted = rollout.spec.service.virtualServiceRef;
    if (adopted) {
      await this.writeAdopted(rollout, adopted, (route) => withDestinations(rollout, route, routes));
      return;
    }
    // A merge patch replaces the whole http list, written from the spec with absolute weights.
    await this.objects.patch(rollout, 'virtualservices', names.virtualService, { spec: { http: httpRoutes(rollout, routes) } });
  }

  async release(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const port = { number: rollout.spec.service.port };
    const adopted = rollout.spec.service.virtualServiceRef;
    if (adopted) {
      // The stable version keeps the route: the primary and its Service outlive the Rollout (see the target's release).
      const host = rollout.spec.revertOnDeletion ? names.service : names.primaryService;
      await this.writeAdopted(rollout, adopted, ({ mirror: _m, mirrorPercentage: _p, ...route }) => ({ ...route, route: [{ destination: { host, port }, weight: 100 }] }));
      return;
    }
    const vs = await this.objects.read(rollout, 'virtualservices', names.virtualService);
    if (!vs || this.objects.notOwned(rollout, 'virtualservices', names.virtualService, vs)) return;
    const { route: _route, mirror: _mirror, mirrorPercentage: _pct, name: _name, ...rest } = weightedRoute(rollout, { primary: 100, canary: 0, mirror: 0 });
    await this.objects.patch(rollout, 'virtualservices', names.virtualService, {
      metadata: { ownerReferences: null },
      spec: { http: [{ ...rest, route: [{ destination: { host: names.service, port }, weight: 100 }] }] },
    });
  }

  /** Rewrites one route of the user's VirtualService, guarded by its resourceVersion so no concurrent edit is lost. */
  private async writeAdopted(rollout: Rollout, ref: VirtualServiceRef, rewrite: (route: HttpRoute) => HttpRoute): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const vs = await this.objects.read(rollout, 'virtualservices', ref.name);
    const http = (vs?.spec as VirtualServiceSpec | undefined)?.http ?? [];
    if (!vs || !http.some((r) => r.name === ref.route)) throw new RouteError(adoptedMissing(namespace, ref, vs !== undefined));
    const rewritten = http.map((r) => (r.name === ref.route ? rewrite(r) : r));
    await this.objects.patch(rollout, 'virtualservices', ref.name, { metadata: { resourceVersion: vs.metadata?.resourceVersion }, spec: { http: rewritten } });
  }
}

function virtualServiceSpec(rollout: Rollout, routes: Routes): Record<string, unknown> {
  const names = ownedNames(rollout);
  const s = rollout.spec.service;
  const hosts = [names.service, ...(s.hosts ?? []).filter((h) => h !== names.service)];
  return { hosts, gateways: s.gateways?.length ? s.gateways : ['mesh'], http: httpRoutes(rollout, routes) };
}

function observeAdopted(rollout: Rollout, ref: VirtualServiceRef, vs: CustomObject | undefined): RouteObservation {
  const { namespace } = ownedNames(rollout);
  const route = (vs?.spec as VirtualServiceSpec | undefined)?.http?.find((r) => r.name === ref.route);
  if (!route) return { routes: undefined, foreign: adoptedMissing(namespace, ref, vs !== undefined) };
  return { routes: routesOfHttpRoute(rollout, route) };
}

function adoptedMissing(namespace: string, ref: VirtualServiceRef, vsExists: boolean): string {
  return vsExists
    ? `spec.service.virtualServiceRef.route: VirtualService ${namespace}/${ref.name} has no HTTP route named "${ref.route}": name the route (http[].name) or fix the field`
    : `spec.service.virtualServiceRef.name: VirtualService ${namespace}/${ref.name} not found: create it or fix the field`;
}

/** The adopted route with flowshift's destinations, weights and mirror; every other field of it stays. */
function withDestinations(rollout: Rollout, route: HttpRoute, routes: Routes): HttpRoute {
  const { route: _old, mirror: _mirror, mirrorPercentage: _pct, ...rest } = route;
  const ours = weightedRoute(rollout, routes);
  return { ...rest, route: ours.route ?? [], ...(ours.mirror ? { mirror: ours.mirror, mirrorPercentage: ours.mirrorPercentage } : {}) };
}
