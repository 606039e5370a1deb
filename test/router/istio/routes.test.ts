import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { httpRoutes, routesOfVirtualService, weightedRoute } from '../../../src/router/istio/routes.js';

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

const abRollout: Rollout = { ...rollout, spec: { ...rollout.spec, strategy: { abTesting: { iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } } } };

describe('the Istio HTTP route', () => {
  it('carries the user settings and absolute weights to the per-version hosts', () => {
    expect(weightedRoute(rollout, { primary: 70, canary: 30, mirror: 0 })).toEqual({
      name: 'flowshift-weighted',
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
    const route = weightedRoute(rollout, { primary: 100, canary: 0, mirror: 40 });
    expect(route.mirror).toEqual({ host: 'web-canary', port: { number: 9898 } });
    expect(route.mirrorPercentage).toEqual({ value: 40 });
  });

  it('reads back what it wrote', () => {
    for (const routes of [{ primary: 100, canary: 0, mirror: 0 }, { primary: 40, canary: 60, mirror: 0 }, { primary: 100, canary: 0, mirror: 25 }, { primary: 100, canary: 0, mirror: 0, match: true }]) {
      expect(routesOfVirtualService(abRollout, { http: httpRoutes(abRollout, routes) })).toEqual(routes);
    }
  });

  it('sends requests matching the A/B test to the canary first, within the user match', () => {
    const [ab, weighted] = httpRoutes(abRollout, { primary: 100, canary: 0, mirror: 0, match: true });
    expect(ab).toMatchObject({
      name: 'flowshift-ab-testing',
      match: [{ uri: { prefix: '/api' }, headers: { 'x-canary': { exact: 'insider' } } }],
      route: [{ destination: { host: 'web-canary', port: { number: 9898 } }, weight: 100 }],
      timeout: '5s',
    });
    expect(weighted?.route?.map((r) => r.weight)).toEqual([100, 0]);
  });

  it('pins users the split sent to the canary with a cookie while the canary has live traffic', () => {
    const affinity: Rollout = { ...rollout, spec: { ...rollout.spec, strategy: { canary: { stepWeight: 10, sessionAffinity: { cookieName: 'pin', maxAge: '1h' } } } }, status: { lastAppliedSpec: 'abcdef0123456789ff' } };
    const [pinned, weighted] = httpRoutes(affinity, { primary: 80, canary: 20, mirror: 0 });
    expect(pinned).toMatchObject({ name: 'flowshift-session-affinity', match: [{ uri: { prefix: '/api' }, headers: { cookie: { regex: '.*pin=abcdef0123456789.*' } } }] });
    expect(weighted?.route?.[1]?.headers).toEqual({ response: { add: { 'Set-Cookie': 'pin=abcdef0123456789; Max-Age=3600; Path=/' } } });
    expect(httpRoutes(affinity, { primary: 100, canary: 0, mirror: 0 })).toHaveLength(1);
  });
});
