import type { Rollout } from '../../api/types.gen.js';
import { matchProblems } from './routes.js';

/** Istio settings with no Gateway API equivalent flowshift writes. */
const ISTIO_ONLY = ['retries', 'corsPolicy', 'headers', 'rewrite', 'trafficPolicy', 'virtualServiceRef'] as const;

/** The Istio settings and match conditions an HTTPRoute cannot carry, refused rather than dropped. */
export function gatewayApiProblems(rollout: Rollout): string[] {
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
