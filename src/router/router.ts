import type { Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/decision.js';

/** The traffic layer of a mesh: today Istio, later the Gateway API. */
export interface Router {
  /** Creates or updates the routing objects, writing `routes` as the weights. */
  ensure(rollout: Rollout, routes: Routes): Promise<void>;
  /** The weights currently in the route; undefined when it does not exist yet. */
  getRoutes(rollout: Rollout): Promise<Routes | undefined>;
  /** Writes absolute weights (never increments), so a repeated write is harmless. */
  setRoutes(rollout: Rollout, routes: Routes): Promise<void>;
  /** revertOnDeletion: route everything to the apex service and let the route outlive the Rollout. */
  release(rollout: Rollout): Promise<void>;
}
