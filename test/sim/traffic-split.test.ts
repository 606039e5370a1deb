import { describe, expect, it } from 'vitest';
import { ALL_PRIMARY, splitOf, versionOfHost } from '../../devenv/sim/traffic-split.js';

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
