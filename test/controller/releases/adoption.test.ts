import { describe, expect, it } from 'vitest';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

interface UserRoute {
  name: string;
  match?: unknown[];
  retries?: unknown;
  route: { destination: { host: string; port?: { number: number } }; weight?: number }[];
}

const istio = { group: 'networking.istio.io', version: 'v1', plural: 'virtualservices' } as const;

describe("adopting a user's VirtualService", () => {
  const apiRoute: UserRoute = { name: 'api', match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'api-backend' } }] };

  const { cluster } = useReleaseCluster('adopt');

  const userVs = async (): Promise<{ metadata: { ownerReferences?: unknown[] }; spec: { hosts: string[]; gateways: string[]; http: UserRoute[] } }> =>
    (await cluster().custom.getNamespacedCustomObject({ ...istio, namespace: cluster().namespace, name: 'shop' })) as never;
  const mainRoute = async (): Promise<UserRoute | undefined> => (await userVs()).spec.http.find((r) => r.name === 'main');

  it('drives only the destinations of the named route, leaving every other route, host and field alone', async () => {
    const ns = cluster().namespace;
    await cluster().apps.createNamespacedDeployment({ namespace: ns, body: podinfo('shop') });
    await cluster().core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'shop' }, spec: { selector: { app: 'shop' }, ports: [{ name: 'http', port: 9898 }] } } });
    await cluster().custom.createNamespacedCustomObject({
      ...istio, namespace: ns,
      body: {
        apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'shop' },
        spec: {
          hosts: ['shop', 'shop.example.com'],
          gateways: ['mesh', 'istio-system/public'],
          http: [apiRoute, { name: 'main', retries: { attempts: 3 }, route: [{ destination: { host: 'shop', port: { number: 9898 } } }] }],
        },
      },
    });
    await cluster().createRollout(quickRollout('shop', { service: { port: 9898, virtualServiceRef: { name: 'shop', route: 'main' } }, strategy: { canary: { stepWeights: [50] } } }));
    await cluster().waitForRollout('shop', 'Initialized', (r) => r.status?.phase === 'Initialized');

    const vs = await userVs();
    expect(vs.spec.hosts).toEqual(['shop', 'shop.example.com']);
    expect(vs.spec.gateways).toEqual(['mesh', 'istio-system/public']);
    expect(vs.spec.http[0]).toEqual(apiRoute);
    expect(vs.spec.http[1]).toEqual({
      name: 'main',
      retries: { attempts: 3 },
      route: [
        { destination: { host: 'shop-primary', port: { number: 9898 } }, weight: 100 },
        { destination: { host: 'shop-canary', port: { number: 9898 } }, weight: 0 },
      ],
    });
    expect(vs.metadata.ownerReferences ?? []).toEqual([]);
    // The user's apex Service stays theirs.
    const apex = await cluster().core.readNamespacedService({ name: 'shop', namespace: ns });
    expect(apex.spec?.selector).toEqual({ app: 'shop' });
    expect(apex.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('releases through the adopted route and promotes', async () => {
    const seen = new Set<number>();
    const poll = setInterval(() => {
      void mainRoute().then((r) => seen.add(r?.route[1]?.weight ?? -1), () => undefined);
    }, 100);
    await cluster().setImage('shop', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await cluster().waitForRollout('shop', 'Succeeded', (r) => r.status?.phase === 'Succeeded', 60_000);
    clearInterval(poll);
    expect(seen.has(50)).toBe(true);
    expect((await mainRoute())?.route.map((d) => d.weight)).toEqual([100, 0]);
    expect((await userVs()).spec.http[0]).toEqual(apiRoute);
  });

  it('leaves the route on the stable version when the Rollout is deleted, and lets the primary outlive it', async () => {
    const ns = cluster().namespace;
    await cluster().custom.deleteNamespacedCustomObject({ group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns, name: 'shop' });
    await cluster().waitForRolloutGone('shop');
    expect(await mainRoute()).toEqual({ name: 'main', retries: { attempts: 3 }, route: [{ destination: { host: 'shop-primary', port: { number: 9898 } }, weight: 100 }] });
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'shop-primary', namespace: ns });
    expect(primary.metadata?.ownerReferences ?? []).toEqual([]);
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.6.0');
    const primaryService = await cluster().core.readNamespacedService({ name: 'shop-primary', namespace: ns });
    expect(primaryService.metadata?.ownerReferences ?? []).toEqual([]);
  });

  it('refuses a route name the VirtualService does not have, naming it, and writes nothing', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo('nomatch') });
    await cluster().createRollout(quickRollout('nomatch', { service: { port: 9898, virtualServiceRef: { name: 'shop', route: 'missing' } } }));
    const r = await cluster().waitForRollout('nomatch', 'invalid', (x) => x.status?.message?.startsWith('invalid:') ?? false, 20_000);
    expect(r.status?.message).toContain(`VirtualService ${cluster().namespace}/shop has no HTTP route named "missing"`);
    await expect(cluster().apps.readNamespacedDeployment({ name: 'nomatch-primary', namespace: cluster().namespace })).rejects.toThrow();
  });
});
