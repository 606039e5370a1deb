import type { Rollout } from '../api/types.gen.js';
import type { KubeClients } from '../kube/client.js';
import type { RouteCache } from './route-cache.js';
import type { Router } from './router.js';

/** The API a router writes its routes through, and what makes a cluster serve it. */
export interface RouteApi {
  readonly group: string;
  readonly version: string;
  readonly fix: string;
}

/**
 * Everything the generic code needs from one router (discovery, the route
 * informer, the spec checks, the controller): its folder exports one, and
 * registry.ts lists it under the spec.provider value that picks it.
 */
export interface RouterPlugin {
  /** Discovery holds the Rollouts of this provider while the API server does not serve it. */
  readonly api: RouteApi;
  /** The route objects (of `api`) that carry the weights: the route informer watches them for drift. */
  readonly plural: string;
  /**
   * What this router cannot do as the Rollout asks, each naming the field and
   * the fix: an unsupported combination is refused, never silently dropped.
   */
  problems(rollout: Rollout): string[];
  /** The router, reading its route objects through `cache` where an informer holds them. */
  create(clients: KubeClients, cache?: RouteCache): Router;
}
