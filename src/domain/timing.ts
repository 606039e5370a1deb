import { parseDuration } from '../api/duration.js';
import { DEFAULTS } from '../api/schema/defaults.js';
import type { RolloutSpec } from '../api/types.gen.js';
import type { TickInput } from './model.js';

/** Seconds since the last phase or weight change. */
export function secondsInState(input: TickInput): number {
  const since = input.status.lastTransitionTime ? Date.parse(input.status.lastTransitionTime) : input.observed.now.getTime();
  return (input.observed.now.getTime() - since) / 1000;
}

export function analysisIntervalMs(spec: RolloutSpec): number {
  return parseDuration(spec.analysis?.interval ?? DEFAULTS.analysisInterval) ?? 60_000;
}

/**
 * Whether a check is due: one interval after the last one. Extra ticks (an
 * informer event, a resync, a retried job) must not run extra checks or take
 * extra steps. The slack absorbs clock skew between replicas.
 */
export function analysisDue(input: Pick<TickInput, 'spec' | 'status' | 'observed'>): boolean {
  const last = input.status.lastAnalysisTime;
  if (!last) return true;
  const interval = analysisIntervalMs(input.spec);
  const slack = Math.min(1000, interval / 10);
  return input.observed.now.getTime() - Date.parse(last) >= interval - slack;
}

export function progressDeadline(spec: RolloutSpec): number {
  return spec.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds;
}

/**
 * How long the routes back on the primary are given to reach the proxies
 * before the canary scales to zero. Not an analysis interval: nothing is
 * checked meanwhile, and waiting one (10 s to minutes) only delayed the end
 * of every release. istiod pushes a route change within its debounce
 * (100 ms by default, longer under churn); the canary's pods still drain
 * what reaches them while they terminate.
 */
export const ROUTE_SETTLE_MS = 1_000;
