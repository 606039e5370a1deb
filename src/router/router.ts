import { MeshProvider, type Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/model.js';
import type { CustomObject } from './custom-object.js';

export interface RouteObservation {
  /** Undefined while the route does not exist, or when it is not this Rollout's. */
  readonly routes: Routes | undefined;
  /** Set when an object under the route's generated name belongs to someone else: why, and the fix. */
  readonly foreign?: string;
}

/** The traffic layer of a mesh or gateway: one implementation per folder (istio/, gateway-api/). */
export interface Router {
  /** Creates or updates the routing objects, writing `routes` as the weights. */
  ensure(rollout: Rollout, routes: Routes): Promise<void>;
  /** The weights currently in the route, or that the route under the generated name is someone else's. */
  observe(rollout: Rollout): Promise<RouteObservation>;
  /** The routes a route object of this Rollout carries, as the route informer saw it (drift between ticks). */
  routesIn(rollout: Rollout, object: CustomObject): Routes;
  /** The route objects this router would write that exist and belong to someone else, each with the fix. */
  foreign(rollout: Rollout): Promise<string[]>;
  /** Writes absolute weights (never increments), so a repeated write is harmless. */
  setRoutes(rollout: Rollout, routes: Routes): Promise<void>;
  /** revertOnDeletion: route everything to the apex service and let the route outlive the Rollout. */
  release(rollout: Rollout): Promise<void>;
}

/** One Router per provider; a Rollout gets the one its spec.provider names, never another. */
export type Routers = Readonly<Record<MeshProvider, Router>>;

export function routerFor(routers: Routers, rollout: Rollout): Router {
  return routers[providerOf(rollout)];
}

/** A Rollout's spec.provider, istio when unset (as the CRD defaults it). */
export function providerOf(rollout: Rollout): MeshProvider {
  return rollout.spec.provider ?? MeshProvider.Istio;
}

/** A route that cannot be written as the Rollout asks (an adopted VirtualService without the named route), with the fix in the message. */
export class RouteError extends Error {
  readonly code = 'FLOWSHIFT_ROUTE_INVALID';
  override readonly name = 'RouteError';
}
