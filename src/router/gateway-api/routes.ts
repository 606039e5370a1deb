import type { IstioObject, Rollout } from '../../api/types.gen.js';
import type { Routes } from '../../domain/model.js';
import { ownedNames } from '../../api/names.js';
import { affinityCookie, type AffinityCookie } from '../matches.js';

export const GATEWAY_GROUP = 'gateway.networking.k8s.io';
export const GATEWAY_VERSION = 'v1';

export interface BackendRef {
  name: string;
  port: number;
  weight?: number;
  filters?: Record<string, unknown>[];
}

export interface HttpRouteRule {
  name?: string;
  matches?: Record<string, unknown>[];
  filters?: Record<string, unknown>[];
  backendRefs?: BackendRef[];
  timeouts?: { request?: string };
}

export interface HttpRouteSpec {
  parentRefs?: Record<string, unknown>[];
  hostnames?: string[];
  rules?: HttpRouteRule[];
}

/** Rule names flowshift writes, so it can read them back. */
export const RuleName = { Matched: 'flowshift-ab-testing', Affinity: 'flowshift-session-affinity', Weighted: 'flowshift-weighted' } as const;

/**
 * The HTTPRoute of a Rollout. Attached to the apex Service for mesh traffic
 * (GAMMA) or to the Gateways of spec.service.gateways; rules in the order the
 * Istio router writes them: A/B matches, session affinity, weighted split.
 */
export function httpRouteSpec(rollout: Rollout, routes: Routes): HttpRouteSpec {
  const s = rollout.spec.service;
  const gateways = (s.gateways ?? []).filter((g) => g !== 'mesh');
  const spec: HttpRouteSpec = { parentRefs: parentRefs(rollout) };
  if (gateways.length && s.hosts?.length) spec.hostnames = [...s.hosts];
  spec.rules = rules(rollout, routes);
  return spec;
}

function parentRefs(rollout: Rollout): Record<string, unknown>[] {
  const names = ownedNames(rollout);
  const gateways = rollout.spec.service.gateways?.length ? rollout.spec.service.gateways : ['mesh'];
  return gateways.map((g) => {
    if (g === 'mesh') return { group: '', kind: 'Service', name: names.service, port: rollout.spec.service.port };
    const [namespace, name] = g.split('/');
    return { group: GATEWAY_GROUP, kind: 'Gateway', namespace, name };
  });
}

function rules(rollout: Rollout, routes: Routes): HttpRouteRule[] {
  const names = ownedNames(rollout);
  const port = rollout.spec.service.port;
  const userMatches = (rollout.spec.service.match ?? []).map(toGatewayMatch);
  const timeouts = rollout.spec.service.timeout ? { timeouts: { request: rollout.spec.service.timeout } } : {};
  const canaryOnly: BackendRef[] = [{ name: names.canaryService, port, weight: 1 }];
  const out: HttpRouteRule[] = [];
  if (routes.match) {
    const ab = (rollout.spec.strategy.abTesting?.match ?? []).map(toGatewayMatch);
    out.push({ name: RuleName.Matched, matches: combine(ab, userMatches), backendRefs: canaryOnly, ...timeouts });
  }
  const cookie = affinityCookie(rollout, routes);
  if (cookie) {
    const pinned = [{ headers: [{ type: 'RegularExpression', name: 'Cookie', value: cookie.matchRegex }] }];
    out.push({ name: RuleName.Affinity, matches: combine(pinned, userMatches), backendRefs: canaryOnly, ...timeouts });
  }
  out.push(weightedRule(rollout, routes, cookie, userMatches, timeouts));
  return out;
}

function weightedRule(rollout: Rollout, routes: Routes, cookie: AffinityCookie | undefined, matches: Record<string, unknown>[], timeouts: object): HttpRouteRule {
  const names = ownedNames(rollout);
  const port = rollout.spec.service.port;
  const canary: BackendRef = { name: names.canaryService, port, weight: routes.canary };
  if (cookie) canary.filters = [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'Set-Cookie', value: cookie.setCookie }] } }];
  const rule: HttpRouteRule = { name: RuleName.Weighted, backendRefs: [{ name: names.primaryService, port, weight: routes.primary }, canary], ...timeouts };
  if (matches.length) rule.matches = matches;
  if (routes.mirror > 0) {
    rule.filters = [{ type: 'RequestMirror', requestMirror: { backendRef: { name: names.canaryService, port }, percent: routes.mirror } }];
  }
  return rule;
}

/** Reads the weights back from the weighted rule; a rule not of flowshift's shape reads as drift. */
export function routesOfHttpRouteSpec(rollout: Rollout, spec: HttpRouteSpec): Routes {
  const names = ownedNames(rollout);
  const all = spec.rules ?? [];
  const rule = all.find((r) => r.name === RuleName.Weighted) ?? all.at(-1);
  const weightOf = (service: string): number => rule?.backendRefs?.find((b) => b.name === service)?.weight ?? 0;
  const mirror = rule?.filters?.find((f) => f['type'] === 'RequestMirror')?.['requestMirror'] as { percent?: number } | undefined;
  const routes = { primary: weightOf(names.primaryService), canary: weightOf(names.canaryService), mirror: mirror ? (mirror.percent ?? 100) : 0 };
  return all.some((r) => r.name === RuleName.Matched) ? { ...routes, match: true } : routes;
}

function combine(extra: Record<string, unknown>[], base: Record<string, unknown>[]): Record<string, unknown>[] {
  if (!base.length) return extra;
  if (!extra.length) return base;
  return base.flatMap((b) =>
    extra.map((e) => {
      const headers = [...asList(b['headers']), ...asList(e['headers'])];
      const queryParams = [...asList(b['queryParams']), ...asList(e['queryParams'])];
      return { ...b, ...e, ...(headers.length ? { headers } : {}), ...(queryParams.length ? { queryParams } : {}) };
    }),
  );
}

function asList(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

const STRING_MATCH: Readonly<Record<string, string>> = { exact: 'Exact', regex: 'RegularExpression' };
const PATH_MATCH: Readonly<Record<string, string>> = { exact: 'Exact', prefix: 'PathPrefix', regex: 'RegularExpression' };
/** The fields of an Istio HTTPMatchRequest an HTTPRouteMatch can express. */
export const TRANSLATABLE_MATCH_FIELDS = ['uri', 'headers', 'queryParams', 'method'] as const;

/**
 * An Istio HTTPMatchRequest as a Gateway API HTTPRouteMatch. Only what both
 * can say is translated; matchProblems() refuses the rest before anything is
 * written, so no condition is ever silently dropped.
 */
export function toGatewayMatch(istio: IstioObject): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const uri = stringMatch(istio['uri'], PATH_MATCH);
  if (uri) out['path'] = uri;
  const headers = namedMatches(istio['headers']);
  if (headers.length) out['headers'] = headers;
  const query = namedMatches(istio['queryParams']);
  if (query.length) out['queryParams'] = query;
  const method = (istio['method'] as { exact?: string } | undefined)?.exact;
  if (method) out['method'] = method;
  return out;
}

function stringMatch(value: unknown, types: Readonly<Record<string, string>>): { type: string; value: string } | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, type] of Object.entries(types)) {
    const v = (value as Record<string, unknown>)[key];
    if (typeof v === 'string') return { type, value: v };
  }
  const prefix = (value as Record<string, unknown>)['prefix'];
  // A header or query prefix has no Gateway API type of its own: the same condition as a regex.
  return typeof prefix === 'string' ? { type: 'RegularExpression', value: `^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*` } : undefined;
}

function namedMatches(value: unknown): { name: string; type: string; value: string }[] {
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([name, m]) => {
    const match = stringMatch(m, STRING_MATCH);
    return match ? [{ name, ...match }] : [];
  });
}

/** Why an Istio match cannot be written as an HTTPRouteMatch, per field path. */
export function matchProblems(matches: readonly IstioObject[] | undefined, path: string): string[] {
  return (matches ?? []).flatMap((m, i) => {
    const problems = Object.keys(m)
      .filter((k) => !(TRANSLATABLE_MATCH_FIELDS as readonly string[]).includes(k))
      .map((k) => `${path}[${i}].${k}: the Gateway API has no HTTPRouteMatch for "${k}" (it can match ${TRANSLATABLE_MATCH_FIELDS.join(', ')}); remove it or use provider istio`);
    const method = m['method'] as Record<string, unknown> | undefined;
    if (method && typeof method['exact'] !== 'string') problems.push(`${path}[${i}].method: only an exact method can be matched with the Gateway API`);
    const uri = m['uri'] as Record<string, unknown> | undefined;
    if (uri && !['exact', 'prefix', 'regex'].some((k) => typeof uri[k] === 'string')) problems.push(`${path}[${i}].uri: give exact, prefix or regex`);
    return problems;
  });
}
