import { describe, expect, it } from 'vitest';
import { ALL_PRIMARY, splitOf, splitOfHttpRoute, versionOfHost } from '../../../devenv/sim/traffic-split.js';

const vs = (http: object[]): object => ({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', spec: { hosts: ['podinfo'], http } });
const route = (primary: number, canary: number): object[] => [
  { destination: { host: 'podinfo-primary' }, weight: primary },
  { destination: { host: 'podinfo-canary' }, weight: canary },
];

describe('splitOf', () => {
  it('splits by the route weights', () => {
    expect(splitOf(vs([{ route: route(80, 20) }]), 'podinfo')).toEqual({ live: { primary: 0.8, canary: 0.2 }, mirrored: { primary: 0, canary: 0 } });
    expect(splitOf(vs([{ route: route(0, 100) }]), 'podinfo').live).toEqual({ primary: 0, canary: 1 });
  });

  it('normalises weights that do not sum to 100', () => {
    expect(splitOf(vs([{ route: route(3, 1) }]), 'podinfo').live).toEqual({ primary: 0.75, canary: 0.25 });
  });

  it('gives a lone destination without weight all traffic', () => {
    expect(splitOf(vs([{ route: [{ destination: { host: 'podinfo-canary.shop.svc.cluster.local' } }] }]), 'podinfo').live).toEqual({
      primary: 0,
      canary: 1,
    });
  });

  it('copies the mirror percentage of all requests to the mirror host', () => {
    const split = splitOf(vs([{ route: route(100, 0), mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 50 } }]), 'podinfo');
    expect(split).toEqual({ live: { primary: 1, canary: 0 }, mirrored: { primary: 0, canary: 0.5 } });
  });

  it('mirrors everything when mirrorPercentage is absent, and reads the newer mirrors list', () => {
    expect(splitOf(vs([{ route: route(100, 0), mirror: { host: 'podinfo-canary' } }]), 'podinfo').mirrored.canary).toBe(1);
    const mirrors = [{ destination: { host: 'podinfo-canary' }, percentage: { value: 25 } }];
    expect(splitOf(vs([{ route: route(100, 0), mirrors }]), 'podinfo').mirrored.canary).toBe(0.25);
  });

  it('follows the route without match (what requests without special headers take)', () => {
    const http = [
      { match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: route(0, 100) },
      { route: route(100, 0) },
    ];
    expect(splitOf(vs(http), 'podinfo').live).toEqual({ primary: 1, canary: 0 });
  });

  it('sends traffic to unknown hosts out of the simulation', () => {
    const http = [{ route: [{ destination: { host: 'elsewhere' }, weight: 50 }, { destination: { host: 'podinfo-canary' }, weight: 50 }] }];
    expect(splitOf(vs(http), 'podinfo').live).toEqual({ primary: 0, canary: 0.5 });
  });

  it('treats a VirtualService without HTTP routes as all-primary', () => {
    expect(splitOf(vs([]), 'podinfo')).toEqual(ALL_PRIMARY);
    expect(splitOf({}, 'podinfo')).toEqual(ALL_PRIMARY);
  });
});

describe('versionOfHost', () => {
  it('maps service hosts to versions', () => {
    expect(versionOfHost('podinfo-primary', 'podinfo')).toBe('primary');
    expect(versionOfHost('podinfo', 'podinfo')).toBe('primary');
    expect(versionOfHost('podinfo-canary.shop.svc.cluster.local', 'podinfo')).toBe('canary');
    expect(versionOfHost('podinfo-canary-x', 'podinfo')).toBeUndefined();
    expect(versionOfHost(undefined, 'podinfo')).toBeUndefined();
  });
});

describe('splitOf with matched requests and adopted routes', () => {
  const abRoutes = [
    { name: 'ab', match: [{ headers: { 'x-canary': { exact: 'insider' } } }], route: [{ destination: { host: 'podinfo-canary' }, weight: 100 }] },
    { name: 'weighted', route: route(100, 0), mirror: { host: 'podinfo-canary' }, mirrorPercentage: { value: 50 } },
  ];

  it('sends the matched share of requests through the first matching route, and mirrors only the rest', () => {
    const split = splitOf(vs(abRoutes), 'podinfo', { matchedShare: 0.2 });
    expect(split.live.primary).toBeCloseTo(0.8);
    expect(split.live.canary).toBeCloseTo(0.2);
    expect(split.mirrored.canary).toBeCloseTo(0.4);
  });

  it('ignores matching routes that reach other services', () => {
    const http = [{ match: [{ uri: { prefix: '/static' } }], route: [{ destination: { host: 'static-files' } }] }, { route: route(100, 0) }];
    expect(splitOf(vs(http), 'podinfo', { matchedShare: 0.5 }).live).toEqual({ primary: 1, canary: 0 });
  });

  it('follows only the named route of an adopted VirtualService', () => {
    const http = [
      { name: 'static', match: [{ uri: { prefix: '/static' } }], route: [{ destination: { host: 'static-files' } }] },
      { name: 'main', route: route(70, 30) },
    ];
    expect(splitOf(vs(http), 'podinfo', { route: 'main' }).live).toEqual({ primary: 0.7, canary: 0.3 });
    expect(splitOf(vs(http), 'podinfo', { route: 'missing' })).toBe(ALL_PRIMARY);
  });
});

describe('splitOfHttpRoute', () => {
  const httpRoute = (rules: object[]): object => ({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', spec: { rules } });
  const backends = (primary: number, canary: number): object[] => [
    { name: 'podinfo-primary', port: 9898, weight: primary },
    { name: 'podinfo-canary', port: 9898, weight: canary },
  ];

  it('splits by backendRef weights, a missing weight counting 1', () => {
    expect(splitOfHttpRoute(httpRoute([{ backendRefs: backends(90, 10) }]), 'podinfo').live).toEqual({ primary: 0.9, canary: 0.1 });
    expect(splitOfHttpRoute(httpRoute([{ backendRefs: [{ name: 'podinfo-primary' }, { name: 'podinfo-canary' }] }]), 'podinfo').live).toEqual({ primary: 0.5, canary: 0.5 });
  });

  it('copies a RequestMirror filter percent to its backend', () => {
    const rule = { backendRefs: backends(100, 0), filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'podinfo-canary', port: 9898 }, percent: 30 } }] };
    expect(splitOfHttpRoute(httpRoute([rule]), 'podinfo').mirrored).toEqual({ primary: 0, canary: 0.3 });
  });

  it('sends the matched share through the rule with matches', () => {
    const rules = [
      { matches: [{ headers: [{ name: 'x-canary', value: 'insider' }] }], backendRefs: [{ name: 'podinfo-canary', port: 9898 }] },
      { backendRefs: backends(100, 0) },
    ];
    const split = splitOfHttpRoute(httpRoute(rules), 'podinfo', { matchedShare: 0.25 });
    expect(split.live.canary).toBeCloseTo(0.25);
    expect(split.live.primary).toBeCloseTo(0.75);
  });
});
