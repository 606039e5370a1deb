import type { IstioObject, Rollout } from '../api/types.gen.js';
import { parseDuration } from '../api/duration.js';
import type { Routes } from '../domain/model.js';

/**
 * Every condition of both lists at once (Istio ORs the entries of a match
 * list and ANDs the fields of one entry): each entry of `extra` merged into
 * each entry of `base`, header and query conditions added together.
 */
export function combineMatches(extra: readonly IstioObject[], base: readonly IstioObject[]): IstioObject[] {
  if (!base.length) return [...extra];
  if (!extra.length) return [...base];
  return base.flatMap((b) => extra.map((e) => mergeMatch(b, e)));
}

function mergeMatch(base: IstioObject, extra: IstioObject): IstioObject {
  const merged: IstioObject = { ...base, ...extra };
  for (const key of ['headers', 'queryParams', 'withoutHeaders']) {
    const a = base[key];
    const b = extra[key];
    if (isObject(a) && isObject(b)) merged[key] = { ...a, ...b };
  }
  return merged;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const DEFAULT_AFFINITY_COOKIE = 'flowshift-canary';
export const DEFAULT_AFFINITY_MAX_AGE = '24h';

export interface AffinityCookie {
  readonly name: string;
  readonly value: string;
  /** The Set-Cookie header the canary's responses carry. */
  readonly setCookie: string;
  /** An RE2 regex matching a Cookie request header that holds the cookie. */
  readonly matchRegex: string;
}

/**
 * The session-affinity cookie while the canary has live traffic: a user the
 * split once sent to the canary keeps getting it. Its value is the revision
 * being released, so a newer release never inherits pinned users.
 */
export function affinityCookie(rollout: Rollout, routes: Routes): AffinityCookie | undefined {
  const affinity = rollout.spec.strategy.canary?.sessionAffinity;
  if (!affinity || routes.canary <= 0 || routes.canary >= 100) return undefined;
  const name = affinity.cookieName ?? DEFAULT_AFFINITY_COOKIE;
  const value = (rollout.status?.lastAppliedSpec ?? 'canary').slice(0, 16);
  const maxAge = Math.floor((parseDuration(affinity.maxAge ?? DEFAULT_AFFINITY_MAX_AGE) ?? 86_400_000) / 1000);
  return { name, value, setCookie: `${name}=${value}; Max-Age=${maxAge}; Path=/`, matchRegex: `.*${name}=${value}.*` };
}
