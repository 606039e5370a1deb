/** The two versions of a workload behind a Rollout. */
export const Version = { Primary: 'primary', Canary: 'canary' } as const;
export type Version = (typeof Version)[keyof typeof Version];

export const VERSIONS: readonly Version[] = [Version.Primary, Version.Canary];

/** How the request rate is spread over the versions, as shares between 0 and 1. */
export interface TrafficSplit {
  /** Share of requests served live by each version (the route's weights). */
  readonly live: Readonly<Record<Version, number>>;
  /** Share of requests copied to each version as mirrored (shadow) traffic. */
  readonly mirrored: Readonly<Record<Version, number>>;
}

/** No VirtualService: the apex Service selects the primary's pods. */
export const ALL_PRIMARY: TrafficSplit = { live: { primary: 1, canary: 0 }, mirrored: { primary: 0, canary: 0 } };

/** How the simulator reads a route object, beyond the weights. */
export interface SplitOptions {
  /** The name of the one HTTP route to follow (an adopted VirtualService's route); others are ignored. */
  readonly route?: string;
  /**
   * Share of requests (0..1) that carry the A/B test's header or cookie, or
   * the session-affinity cookie: they take the first route with a `match`
   * that reaches the service, everyone else the weighted route.
   */
  readonly matchedShare?: number;
}

/**
 * Reads a VirtualService (networking.istio.io/v1) as Envoy would apply it:
 * plain requests take the first HTTP route without a `match` (else the first
 * route), or the route named `options.route`; its destination weights split
 * them, and its mirror receives a copy of `mirrorPercentage` of them. Hosts
 * `<service>-primary` and `<service>` are the primary, `<service>-canary` the
 * canary (short names or FQDNs); traffic to any other host leaves the simulation.
 */
export function splitOf(virtualService: unknown, service: string, options: SplitOptions = {}): TrafficSplit {
  const http = asArray(field(field(virtualService, 'spec'), 'http'));
  const named = options.route === undefined ? undefined : http.find((r) => field(r, 'name') === options.route);
  const route = options.route === undefined ? (http.find((r) => field(r, 'match') === undefined) ?? http[0]) : named;
  if (route === undefined) return ALL_PRIMARY;
  const plain: TrafficSplit = { live: liveShares(istioDestinations(route), service), mirrored: mirroredShares(route, service) };
  const matched = options.route === undefined ? http.find((r) => r !== route && field(r, 'match') !== undefined && reaches(istioDestinations(r), service)) : undefined;
  return withMatched(plain, matched === undefined ? undefined : liveShares(istioDestinations(matched), service), options.matchedShare);
}

/**
 * Reads an HTTPRoute (gateway.networking.k8s.io/v1) as a Gateway API data
 * plane would: plain requests take the first rule without `matches` (else the
 * last rule), split by backendRef weight (default 1), with a RequestMirror
 * filter's percent copied to its backend; matched requests (options) take the
 * first other rule with `matches` that reaches the service.
 */
export function splitOfHttpRoute(httpRoute: unknown, service: string, options: SplitOptions = {}): TrafficSplit {
  const rules = asArray(field(field(httpRoute, 'spec'), 'rules'));
  const rule = rules.find((r) => field(r, 'matches') === undefined) ?? rules.at(-1);
  if (rule === undefined) return ALL_PRIMARY;
  const plain: TrafficSplit = { live: liveShares(gatewayDestinations(rule), service), mirrored: gatewayMirror(rule, service) };
  const matched = rules.find((r) => r !== rule && field(r, 'matches') !== undefined && reaches(gatewayDestinations(r), service));
  return withMatched(plain, matched === undefined ? undefined : liveShares(gatewayDestinations(matched), service), options.matchedShare);
}

/** A destination as both route kinds name it: a host and a weight, if one is given. */
interface Destination {
  readonly host: unknown;
  readonly weight: unknown;
}

function istioDestinations(route: unknown): Destination[] {
  return asArray(field(route, 'route')).map((d) => ({ host: field(field(d, 'destination'), 'host'), weight: field(d, 'weight') }));
}

function gatewayDestinations(rule: unknown): Destination[] {
  // Gateway API: a backendRef without a weight weighs 1.
  return asArray(field(rule, 'backendRefs')).map((b) => ({ host: field(b, 'name'), weight: field(b, 'weight') ?? 1 }));
}

function reaches(destinations: readonly Destination[], service: string): boolean {
  return destinations.some((d) => versionOfHost(d.host, service) !== undefined);
}

function withMatched(plain: TrafficSplit, matched: Record<Version, number> | undefined, share = 0): TrafficSplit {
  if (matched === undefined || !(share > 0)) return plain;
  const m = clamp(share, 0, 1);
  const mix = (version: Version): number => (1 - m) * plain.live[version] + m * matched[version];
  // The mirror belongs to the weighted route: only its requests are copied.
  const mirrored = { primary: (1 - m) * plain.mirrored.primary, canary: (1 - m) * plain.mirrored.canary };
  return { live: { primary: mix('primary'), canary: mix('canary') }, mirrored };
}

function gatewayMirror(rule: unknown, service: string): Record<Version, number> {
  const shares = { primary: 0, canary: 0 };
  for (const filter of asArray(field(rule, 'filters'))) {
    if (field(filter, 'type') !== 'RequestMirror') continue;
    const mirror = field(filter, 'requestMirror');
    const version = versionOfHost(field(field(mirror, 'backendRef'), 'name'), service);
    if (version) shares[version] += clamp(numberOr(field(mirror, 'percent'), 100), 0, 100) / 100;
  }
  return shares;
}

function liveShares(destinations: readonly Destination[], service: string): Record<Version, number> {
  const shares = { primary: 0, canary: 0 };
  // Istio: a lone destination takes all traffic; otherwise a missing weight is 0.
  const weights = destinations.map((d) => numberOr(d.weight, destinations.length === 1 ? 100 : 0));
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  if (total <= 0) return shares;
  destinations.forEach((destination, index) => {
    const version = versionOfHost(destination.host, service);
    if (version) shares[version] += Math.max(0, weights[index] ?? 0) / total;
  });
  return shares;
}

function mirroredShares(route: unknown, service: string): Record<Version, number> {
  const shares = { primary: 0, canary: 0 };
  const add = (host: unknown, percentage: unknown): void => {
    const version = versionOfHost(host, service);
    // Istio: without mirrorPercentage, all requests are mirrored.
    if (version) shares[version] += clamp(numberOr(field(percentage, 'value'), 100), 0, 100) / 100;
  };
  const mirror = field(route, 'mirror');
  if (mirror !== undefined) add(field(mirror, 'host'), field(route, 'mirrorPercentage'));
  for (const entry of asArray(field(route, 'mirrors'))) add(field(field(entry, 'destination'), 'host'), field(entry, 'percentage'));
  return shares;
}

export function versionOfHost(host: unknown, service: string): Version | undefined {
  if (typeof host !== 'string') return undefined;
  const short = host.split('.')[0];
  if (short === `${service}-canary`) return Version.Canary;
  if (short === `${service}-primary` || short === service) return Version.Primary;
  return undefined;
}

function field(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  return (value as Record<string, unknown>)[key];
}

function asArray(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
