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

/**
 * Reads a VirtualService (networking.istio.io/v1) as Envoy would apply it to
 * requests without special headers: the first HTTP route without a `match`
 * (else the first route) splits traffic by its destination weights, and its
 * mirror receives a copy of `mirrorPercentage` of all requests. Hosts
 * `<service>-primary` and `<service>` are the primary, `<service>-canary` the
 * canary (short names or FQDNs); traffic to any other host leaves the simulation.
 */
export function splitOf(virtualService: unknown, service: string): TrafficSplit {
  const http = asArray(field(field(virtualService, 'spec'), 'http'));
  const route = http.find((r) => field(r, 'match') === undefined) ?? http[0];
  if (route === undefined) return ALL_PRIMARY;
  return { live: liveShares(asArray(field(route, 'route')), service), mirrored: mirroredShares(route, service) };
}

function liveShares(destinations: readonly unknown[], service: string): Record<Version, number> {
  const shares = { primary: 0, canary: 0 };
  // Istio: a lone destination takes all traffic; otherwise a missing weight is 0.
  const weights = destinations.map((d) => numberOr(field(d, 'weight'), destinations.length === 1 ? 100 : 0));
  const total = weights.reduce((sum, w) => sum + Math.max(0, w), 0);
  if (total <= 0) return shares;
  destinations.forEach((destination, index) => {
    const version = versionOfHost(field(field(destination, 'destination'), 'host'), service);
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
