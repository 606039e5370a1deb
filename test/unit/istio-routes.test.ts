import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../src/api/types.gen.js';
import { httpRoute, routesOfVirtualService } from '../../src/router/istio-routes.js';

const rollout: Rollout = {
  apiVersion: 'flowshift.io/v1alpha1',
  kind: 'Rollout',
  metadata: { name: 'r', namespace: 'ns' },
  spec: {
    targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'podinfo' },
    service: { name: 'web', port: 9898, match: [{ uri: { prefix: '/api' } }], retries: { attempts: 3 }, timeout: '5s' },
    strategy: { canary: { stepWeight: 10, maxWeight: 50 } },
  },
};

describe('the Istio HTTP route', () => {
  it('carries the user settings and absolute weights to the per-version hosts', () => {
    expect(httpRoute(rollout, { primary: 70, canary: 30, mirror: 0 })).toEqual({
      match: [{ uri: { prefix: '/api' } }],
      retries: { attempts: 3 },
      timeout: '5s',
      route: [
        { destination: { host: 'web-primary', port: { number: 9898 } }, weight: 70 },
        { destination: { host: 'web-canary', port: { number: 9898 } }, weight: 30 },
      ],
    });
  });

  it('mirrors to the canary host when asked', () => {
    const route = httpRoute(rollout, { primary: 100, canary: 0, mirror: 40 });
    expect(route.mirror).toEqual({ host: 'web-canary', port: { number: 9898 } });
    expect(route.mirrorPercentage).toEqual({ value: 40 });
  });

  it('reads back what it wrote', () => {
    for (const routes of [{ primary: 100, canary: 0, mirror: 0 }, { primary: 40, canary: 60, mirror: 0 }, { primary: 100, canary: 0, mirror: 25 }]) {
      expect(routesOfVirtualService(rollout, { http: [httpRoute(rollout, routes)] })).toEqual(routes);
    }
  });
});
