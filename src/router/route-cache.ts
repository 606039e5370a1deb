import type { CustomObject } from './custom-object.js';

/** Said by a RouteCache that holds no informer for a kind (not served, not started yet): ask the API server. */
export const NotCached = Symbol('not cached');

/**
 * Route objects (VirtualServices, HTTPRoutes) that flowshift labels as its
 * own, as an informer holds them. A route without the label (someone
 * else's, or an adopted VirtualService) is never in it: a miss for a name
 * flowshift generates means "not ours or not there", which the ownership
 * check before any write resolves with a read of its own.
 */
export interface RouteCache {
  route(plural: string, namespace: string, name: string): CustomObject | undefined | typeof NotCached;
}

export const noRouteCache: RouteCache = { route: () => NotCached };
