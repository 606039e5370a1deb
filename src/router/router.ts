import type { Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/decision.js';

export interface RouteObservation {
  /** Undefined while the route does not exist, or when it is not this Rollout's. */
  readonly routes: Routes | undefined;
  /** Set when an object under the route's generated name belongs to someone else: why, and the fix. */
  readonly foreign?: string;
}

/** The traffic layer of a mesh: today Istio, later the Gateway API. */
export interface Router {
  /** Creates or updates the routing objects, writing `routes` as the weights. */
  ensure(rollout: Rollout, routes: Routes): Promise<void>;
  /** The weights currently in the route, or that the route under the generated name is someone else's. */
  observe(rollout: Rollout): Promise<RouteObservation>;
  /** The route objects this router would write that exist and belong to someone else, each with the fix. */
  foreign(rollout: Rollout): Promise<string[]>;
  /** Writes absolute weights (never increments), so a repeated write is harmless. */
  setRoutes(rollout: Rollout, routes: Routes): Promise<void>;
  /** revertOnDeletion: route everything to the apex service and let the route outlive the Rollout. */
  release(rollout: Rollout): Promise<void>;
}
