import type { Rollout } from '../api/types.gen.js';
import type { Routes } from '../domain/decision.js';
import { ownedNames } from '../kube/names.js';

interface Destination {
  host?: string;
  port?: { number?: number };
}

interface HttpRouteDestination {
  destination?: Destination;
  weight?: number;
}

export interface HttpRoute {
  route?: HttpRouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value?: number };
  [key: string]: unknown;
}

export interface VirtualServiceSpec {
  http?: HttpRoute[];
}

/** The one HTTP route of a Rollout's VirtualService, carrying the user's match, retries, timeout, … */
export function httpRoute(rollout: Rollout, routes: Routes): HttpRoute {
  const names = ownedNames(rollout);
  const s = rollout.spec.service;
  const port = { number: s.port };
  const route: HttpRoute = {};
  if (s.match?.length) route['match'] = s.match;
  if (s.retries) route['retries'] = s.retries;
  if (s.timeout) route['timeout'] = s.timeout;
  if (s.corsPolicy) route['corsPolicy'] = s.corsPolicy;
  if (s.headers) route['headers'] = s.headers;
  if (s.rewrite) route['rewrite'] = s.rewrite;
  route.route = [
    { destination: { host: names.primaryService, port }, weight: routes.primary },
    { destination: { host: names.canaryService, port }, weight: routes.canary },
  ];
  if (routes.mirror > 0) {
    route.mirror = { host: names.canaryService, port };
    route.mirrorPercentage = { value: routes.mirror };
  }
  return route;
}

/** Reads the weights back; a route that is not flowshift's shape reads as all-primary drift. */
export function routesOfVirtualService(rollout: Rollout, spec: VirtualServiceSpec): Routes {
  const names = ownedNames(rollout);
  const http = spec.http?.[0];
  const weightOf = (host: string): number => http?.route?.find((r) => r.destination?.host === host)?.weight ?? 0;
  const primary = weightOf(names.primaryService);
  const canary = weightOf(names.canaryService);
  const mirrored = http?.mirror?.host === names.canaryService;
  return { primary, canary, mirror: mirrored ? (http.mirrorPercentage?.value ?? 100) : 0 };
}
