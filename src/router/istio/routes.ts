import type { IstioObject, Rollout } from '../../api/types.gen.js';
import type { Routes } from '../../domain/model.js';
import { ownedNames } from '../../api/names.js';
import { affinityCookie, combineMatches, type AffinityCookie } from '../matches.js';

export const ISTIO_GROUP = 'networking.istio.io';
export const ISTIO_VERSION = 'v1';

interface Destination {
  host?: string;
  port?: { number?: number };
}

interface HttpRouteDestination {
  destination?: Destination;
  weight?: number;
  headers?: IstioObject;
}

export interface HttpRoute {
  name?: string;
  match?: IstioObject[];
  route?: HttpRouteDestination[];
  mirror?: Destination;
  mirrorPercentage?: { value?: number };
  [key: string]: unknown;
}

export interface VirtualServiceSpec {
  http?: HttpRoute[];
}

/** Names of the routes flowshift writes, so it can read them back. */
export const RouteName = { Matched: 'flowshift-ab-testing', Affinity: 'flowshift-session-affinity', Weighted: 'flowshift-weighted' } as const;

/**
 * The HTTP routes of a Rollout's VirtualService, in the order Istio matches
 * them: the A/B test's matching requests to the canary, then users pinned to
 * the canary by the session-affinity cookie, then the weighted split. Each
 * carries the user's match, retries, timeout, …
 */
export function httpRoutes(rollout: Rollout, routes: Routes): HttpRoute[] {
  const names = ownedNames(rollout);
  const port = { number: rollout.spec.service.port };
  const canaryOnly: HttpRouteDestination[] = [{ destination: { host: names.canaryService, port }, weight: 100 }];
  const out: HttpRoute[] = [];
  const userMatch = rollout.spec.service.match ?? [];
  if (routes.match) {
    out.push({ name: RouteName.Matched, match: combineMatches(rollout.spec.strategy.abTesting?.match ?? [], userMatch), ...settings(rollout), route: canaryOnly });
  }
  const cookie = affinityCookie(rollout, routes);
  if (cookie) {
    const pinned = [{ headers: { cookie: { regex: cookie.matchRegex } } }];
    out.push({ name: RouteName.Affinity, match: combineMatches(pinned, userMatch), ...settings(rollout), route: canaryOnly });
  }
  out.push(weightedRoute(rollout, routes, cookie));
  return out;
}

/** The weighted split between the per-version hosts, with the user's match and settings. */
export function weightedRoute(rollout: Rollout, routes: Routes, cookie?: AffinityCookie): HttpRoute {
  const names = ownedNames(rollout);
  const port = { number: rollout.spec.service.port };
  const s = rollout.spec.service;
  const route: HttpRoute = { name: RouteName.Weighted };
  if (s.match?.length) route.match = s.match;
  Object.assign(route, settings(rollout));
  const canary: HttpRouteDestination = { destination: { host: names.canaryService, port }, weight: routes.canary };
  // Whoever the split sends to the canary gets the cookie that keeps them there.
  if (cookie) canary.headers = { response: { add: { 'Set-Cookie': cookie.setCookie } } };
  route.route = [{ destination: { host: names.primaryService, port }, weight: routes.primary }, canary];
  if (routes.mirror > 0) {
    route.mirror = { host: names.canaryService, port };
    route.mirrorPercentage = { value: routes.mirror };
  }
  return route;
}

function settings(rollout: Rollout): Record<string, unknown> {
  const s = rollout.spec.service;
  return {
    ...(s.retries ? { retries: s.retries } : {}),
    ...(s.timeout ? { timeout: s.timeout } : {}),
    ...(s.corsPolicy ? { corsPolicy: s.corsPolicy } : {}),
    ...(s.headers ? { headers: s.headers } : {}),
    ...(s.rewrite ? { rewrite: s.rewrite } : {}),
  };
}

/** Reads the weights back; a route that is not flowshift's shape reads as all-primary drift. */
export function routesOfVirtualService(rollout: Rollout, spec: VirtualServiceSpec): Routes {
  const http = spec.http ?? [];
  const weighted = http.find((r) => r.name === RouteName.Weighted) ?? http.at(-1);
  const routes = routesOfHttpRoute(rollout, weighted);
  return http.some((r) => r.name === RouteName.Matched) ? { ...routes, match: true } : routes;
}

/** The weights and mirror of one HTTP route between the per-version hosts. */
export function routesOfHttpRoute(rollout: Rollout, http: HttpRoute | undefined): Routes {
  const names = ownedNames(rollout);
  const weightOf = (host: string): number => http?.route?.find((r) => r.destination?.host === host)?.weight ?? 0;
  const mirrored = http?.mirror?.host === names.canaryService;
  return { primary: weightOf(names.primaryService), canary: weightOf(names.canaryService), mirror: mirrored ? (http.mirrorPercentage?.value ?? 100) : 0 };
}
