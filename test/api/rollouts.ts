// Shared by the API server tests: a valid Rollout to mutate, and helpers
// that create flowshift objects and read the API server's verdict.
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { Rollout } from '../../src/api/types.gen.js';
import { kubeConfig } from '../support/env/context.js';
import { rollout } from '../support/rollouts.js';
import { statusCode } from '../../devenv/env/crds.js';

export const group = 'flowshift.io';
export const version = 'v1alpha1';

/** A Rollout using most of the API; each invalid case changes one thing in it. */
export function validRollout(name = 'podinfo'): Rollout {
  return rollout({
    name,
    target: 'podinfo',
    spec: {
      service: { port: 9898, targetPort: 'http', gateways: ['mesh'], timeout: '10s' },
      strategy: { canary: { stepWeights: [10, 20, 40, 80], mirror: { percentage: 50 } } },
      analysis: {
        interval: '30s',
        threshold: 3,
        metrics: [
          { name: 'request-success-rate', interval: '1m', thresholdRange: { min: 99 } },
          { name: 'request-duration', thresholdRange: { max: 500 } },
          {
            name: 'error-ratio',
            query: 'sum(rate(errors_total{app="{{ target }}"}[{{ interval }}]))',
            thresholdRange: { max: 1 },
            compare: { baseline: 'primary', maxIncrease: '20%' },
          },
          { name: 'from-template', templateRef: { name: 'latency' }, templateVariables: { route: '/api' }, thresholdRange: { max: 1 } },
        ],
        webhooks: [{ name: 'approval', type: 'confirm-promotion', url: 'http://gate.example/approve' }],
        alerts: [{ name: 'on-call', severity: 'warn', providerRef: { name: 'slack' } }],
      },
    },
  });
}

export interface Verdict {
  readonly code: number | undefined;
  /** The API server's Status message, which lists every invalid field. */
  readonly message: string;
}

/** Creates an object and returns how the API server answered (code 201 on success). */
export async function tryCreate(namespace: string, plural: string, body: object): Promise<Verdict> {
  const api = kubeConfig().makeApiClient(CustomObjectsApi);
  try {
    await api.createNamespacedCustomObject({ group, version, plural, namespace, body });
    return { code: 201, message: '' };
  } catch (err) {
    return { code: statusCode(err), message: statusMessage(err) };
  }
}

function statusMessage(err: unknown): string {
  const body = typeof err === 'object' && err !== null && 'body' in err ? err.body : undefined;
  if (typeof body === 'string') {
    try {
      const parsed: unknown = JSON.parse(body);
      if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') return parsed.message;
    } catch {
      return body;
    }
  }
  return String(err);
}
