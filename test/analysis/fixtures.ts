import type { MetricSpec, MetricTemplate, Rollout } from '../../src/api/types.gen.js';

/** A Rollout for Deployment `podinfo` with the given analysis metrics. */
export function rolloutWith(metrics: MetricSpec[], options: { namespace?: string; target?: string; interval?: string } = {}): Rollout {
  const target = options.target ?? 'podinfo';
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: target, namespace: options.namespace ?? 'shop' },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [20, 50] } },
      analysis: { ...(options.interval ? { interval: options.interval } : {}), threshold: 2, metrics },
    },
  };
}

export function metricTemplate(
  namespace: string,
  name: string,
  query: string,
  provider: Partial<MetricTemplate['spec']['provider']> = {},
): MetricTemplate {
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'MetricTemplate',
    metadata: { name, namespace },
    spec: { provider: { type: 'prometheus', ...provider }, query },
  };
}
