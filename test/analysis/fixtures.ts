import type { MetricSpec, MetricTemplate, Rollout } from '../../src/api/types.gen.js';
import { rollout } from '../support/rollouts.js';

/** A Rollout for Deployment `podinfo` with the given analysis metrics. */
export function rolloutWith(metrics: MetricSpec[], options: { namespace?: string; target?: string; interval?: string } = {}): Rollout {
  return rollout({
    name: options.target ?? 'podinfo',
    namespace: options.namespace ?? 'shop',
    spec: {
      strategy: { canary: { stepWeights: [20, 50] } },
      analysis: { ...(options.interval ? { interval: options.interval } : {}), threshold: 2, metrics },
    },
  });
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

/** `template` with spec.allowedNamespaces: usable by the Rollouts of those namespaces too. */
export function granted(template: MetricTemplate, ...namespaces: string[]): MetricTemplate {
  return { ...template, spec: { ...template.spec, allowedNamespaces: namespaces } };
}
