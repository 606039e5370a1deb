import type { Rollout } from '../api/types.gen.js';
import { matchProblems } from './gateway-api/routes.js';

/** Route settings that only the generated VirtualService carries. */
const ROUTE_SETTINGS = ['hosts', 'gateways', 'match', 'retries', 'timeout', 'corsPolicy', 'headers', 'rewrite'] as const;
/** Istio settings with no Gateway API equivalent flowshift writes. */
const ISTIO_ONLY = ['retries', 'corsPolicy', 'headers', 'rewrite', 'trafficPolicy', 'virtualServiceRef'] as const;

/**
 * What the Rollout's router cannot do as asked, each naming the field and the
 * fix: an unsupported combination is refused, never silently dropped.
 */
export function routerProblems(rollout: Rollout): string[] {
  return rollout.spec.provider === 'gatewayapi' ? gatewayApiProblems(rollout) : istioProblems(rollout);
}

function istioProblems(rollout: Rollout): string[] {
  const s = rollout.spec.service;
  if (!s.virtualServiceRef) return [];
  const problems = ROUTE_SETTINGS.filter((k) => s[k] !== undefined).map(
    (k) => `spec.service.${k}: not used with spec.service.virtualServiceRef (flowshift writes only the destinations of your route): set it in VirtualService ${s.virtualServiceRef?.name ?? ''} instead`,
  );
  if (rollout.spec.strategy.abTesting) problems.push('spec.strategy.abTesting: needs routes flowshift generates; with spec.service.virtualServiceRef use a canary or blueGreen strategy');
  if (rollout.spec.strategy.canary?.sessionAffinity) problems.push('spec.strategy.canary.sessionAffinity: needs routes flowshift generates; remove it or drop spec.service.virtualServiceRef');
  return problems;
}

function gatewayApiProblems(rollout: Rollout): string[] {
  const s = rollout.spec.service;
  const problems = ISTIO_ONLY.filter((k) => s[k] !== undefined).map(
    (k) => `spec.service.${k}: Istio only; the Gateway API router does not write it: remove it, or set spec.provider: istio`,
  );
  if (s.hosts?.length && !(s.gateways ?? []).some((g) => g !== 'mesh')) {
    problems.push('spec.service.hosts: HTTPRoute hostnames apply to Gateways only: add a Gateway to spec.service.gateways, or remove hosts');
  }
  problems.push(...matchProblems(s.match, 'spec.service.match'), ...matchProblems(rollout.spec.strategy.abTesting?.match, 'spec.strategy.abTesting.match'));
  return problems;
}
