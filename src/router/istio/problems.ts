import type { Rollout } from '../../api/types.gen.js';

/** Route settings that only the generated VirtualService carries. */
const ROUTE_SETTINGS = ['hosts', 'gateways', 'match', 'retries', 'timeout', 'corsPolicy', 'headers', 'rewrite'] as const;

/**
 * With an adopted VirtualService flowshift writes only the destinations of
 * one route: the settings of the generated one, and strategies that need
 * routes of their own, are refused.
 */
export function istioProblems(rollout: Rollout): string[] {
  const s = rollout.spec.service;
  if (!s.virtualServiceRef) return [];
  const problems = ROUTE_SETTINGS.filter((k) => s[k] !== undefined).map(
    (k) => `spec.service.${k}: not used with spec.service.virtualServiceRef (flowshift writes only the destinations of your route): set it in VirtualService ${s.virtualServiceRef?.name ?? ''} instead`,
  );
  if (rollout.spec.strategy.abTesting) problems.push('spec.strategy.abTesting: needs routes flowshift generates; with spec.service.virtualServiceRef use a canary or blueGreen strategy');
  if (rollout.spec.strategy.canary?.sessionAffinity) problems.push('spec.strategy.canary.sessionAffinity: needs routes flowshift generates; remove it or drop spec.service.virtualServiceRef');
  return problems;
}
