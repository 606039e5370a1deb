import { describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { KubeletAnnotation, mergePatch } from '../../support/env/context.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { podinfo } from '../../support/harness.js';
import { useReleaseCluster } from '../../support/release-cluster.js';
import { quickRollout } from '../../support/rollouts.js';

const istio = { group: 'networking.istio.io', version: 'v1' } as const;

/** Damage a new user met: flowshift overwriting what it does not own, or leaving traffic where it cannot be served. */
describe('the controller never touches what it does not own', () => {
  const { cluster } = useReleaseCluster('owner');

  const ns = (): string => cluster().namespace;
  const invalid = (name: string): Promise<Rollout> =>
    cluster().waitForRollout(name, 'invalid message', (r) => r.status?.message?.startsWith('invalid:') ?? false, 20_000);

  it('leaves a user VirtualService under the generated name alone, with its other routes', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('uservs') });
    const userRoutes = [
      { match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'api-backend' } }] },
      { route: [{ destination: { host: 'uservs', port: { number: 9898 } } }] },
    ];
    await cluster().custom.createNamespacedCustomObject({
      ...istio, plural: 'virtualservices', namespace: ns(),
      body: { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'uservs' }, spec: { hosts: ['uservs', 'shop.example.com'], http: userRoutes } },
    });
    await cluster().createRollout(quickRollout('uservs'));

    const r = await invalid('uservs');
    expect(r.status?.message).toContain(`VirtualService ${ns()}/uservs already exists and is not managed by this Rollout`);
    expect(r.status?.message).toContain('set spec.service.name');
    expect(r.status?.conditions?.find((c) => c.type === 'Invalid')?.status).toBe('True');
    const vs = (await cluster().virtualService('uservs')) as unknown as { spec: { hosts: string[]; http: unknown[] } };
    expect(vs.spec).toEqual({ hosts: ['uservs', 'shop.example.com'], http: userRoutes });
    const warning = (await cluster().eventsOnce('uservs', 'InvalidSpec')).find((e) => e.reason === 'InvalidSpec');
    expect(warning?.message).toContain('VirtualService');
  });

  it("leaves a user's own <target>-primary Deployment alone", async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('mine') });
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('mine-primary', 'example.com/users-own:1') });
    await cluster().createRollout(quickRollout('mine'));

    const r = await invalid('mine');
    expect(r.status?.message).toContain(`Deployment ${ns()}/mine-primary already exists and is not managed by this Rollout`);
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'mine-primary', namespace: ns() });
    expect(primary.spec?.template.spec?.containers[0]?.image).toBe('example.com/users-own:1');
    expect(primary.metadata?.ownerReferences ?? []).toEqual([]);
    await expect(cluster().virtualService('mine')).rejects.toThrow();
  });

  it('leaves a user Service and DestinationRule under generated names alone', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('usersvc') });
    await cluster().core.createNamespacedService({
      namespace: ns(),
      body: { metadata: { name: 'usersvc' }, spec: { selector: { app: 'usersvc' }, ports: [{ name: 'web', port: 80, targetPort: 9898 }] } },
    });
    await cluster().custom.createNamespacedCustomObject({
      ...istio, plural: 'destinationrules', namespace: ns(),
      body: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'usersvc-canary' }, spec: { host: 'somewhere-else' } },
    });
    await cluster().createRollout(quickRollout('usersvc'));

    const r = await invalid('usersvc');
    expect(r.status?.message).toContain(`Service ${ns()}/usersvc already exists`);
    expect(r.status?.message).toContain(`DestinationRule ${ns()}/usersvc-canary already exists`);
    const svc = await cluster().core.readNamespacedService({ name: 'usersvc', namespace: ns() });
    expect(svc.spec?.selector).toEqual({ app: 'usersvc' });
    expect(svc.spec?.ports?.map((p) => p.name)).toEqual(['web']);
    const dr = (await cluster().custom.getNamespacedCustomObject({ ...istio, plural: 'destinationrules', namespace: ns(), name: 'usersvc-canary' })) as { spec: unknown };
    expect(dr.spec).toEqual({ host: 'somewhere-else' });
  });

  it('refuses a second Rollout for the same Deployment, and one reusing a service name, naming the first', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('shared') });
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('other') });
    await cluster().createRollout(quickRollout('shared'));
    await cluster().waitForRollout('shared', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster().createRollout({ ...quickRollout('shared-again'), spec: { ...quickRollout('shared').spec, service: { port: 9898, name: 'shared-2' } } });
    await cluster().createRollout(quickRollout('other', { service: { port: 9898, name: 'shared' } }));

    expect((await invalid('shared-again')).status?.message).toContain(`Deployment ${ns()}/shared is already released by Rollout ${ns()}/shared`);
    expect((await invalid('other')).status?.message).toContain(`service name "shared" is already used by Rollout ${ns()}/shared`);
    expect((await cluster().rollout('shared')).status?.phase).toBe('Initialized');
    await expect(cluster().apps.readNamespacedDeployment({ name: 'other-primary', namespace: ns() })).rejects.toThrow();
  });

  it('keeps ports others added to its Service, and their nodePort, when it updates the Service', async () => {
    await cluster().apps.createNamespacedDeployment({ namespace: ns(), body: podinfo('ports') });
    await cluster().createRollout(quickRollout('ports'));
    await cluster().waitForRollout('ports', 'Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster().core.patchNamespacedService(
      { name: 'ports', namespace: ns(), body: { spec: { type: 'NodePort', ports: [{ name: 'http', port: 9898, targetPort: 9898 }, { name: 'metrics', port: 9797, targetPort: 9797 }] } } },
      mergePatch,
    );
    const before = await cluster().core.readNamespacedService({ name: 'ports', namespace: ns() });
    const nodePorts = before.spec?.ports?.map((p) => p.nodePort);
    expect(nodePorts?.every((p) => typeof p === 'number')).toBe(true);

    // A new targetPort makes flowshift rewrite its own port.
    await cluster().custom.patchNamespacedCustomObject(
      { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: ns(), name: 'ports', body: { spec: { service: { port: 9898, targetPort: 8080 } } } },
      mergePatch,
    );
    await waitFor('targetPort rewritten', async () => {
      const svc = await cluster().core.readNamespacedService({ name: 'ports', namespace: ns() });
      return svc.spec?.ports?.find((p) => p.name === 'http')?.targetPort === 8080;
    }, { timeoutMs: 20_000 });
    const after = await cluster().core.readNamespacedService({ name: 'ports', namespace: ns() });
    expect(after.spec?.ports?.map((p) => [p.name, p.port, p.nodePort])).toEqual([
      ['http', 9898, nodePorts?.[0]],
      ['metrics', 9797, nodePorts?.[1]],
    ]);
    expect(after.spec?.type).toBe('NodePort');
  });
});

describe('the controller puts live traffic on the primary first', () => {
  const { cluster } = useReleaseCluster('safe');

  /** A release held at its first step: the canary has 20% of live traffic and analysis keeps it there. */
  async function midRelease(name: string): Promise<void> {
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: podinfo(name) });
    await cluster().createRollout(quickRollout(name, { strategy: { canary: { stepWeights: [20, 40] } }, analysis: { interval: '1h', threshold: 2 } }));
    await cluster().waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
    await cluster().setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await cluster().waitForRollout(name, 'weight 20', (r) => r.status?.canaryWeight === 20, 30_000);
    await waitFor('route at 80/20', async () => (await cluster().virtualService(name)).spec.http[0]?.route[1]?.weight === 20, { timeoutMs: 10_000 });
  }

  const routes = async (name: string): Promise<unknown> => {
    const http = (await cluster().virtualService(name)).spec.http[0];
    return { weights: http?.route.map((r) => r.weight), mirror: (http as { mirror?: unknown } | undefined)?.mirror };
  };

  it('routes to the primary when the target Deployment is deleted mid-release', async () => {
    await midRelease('vanish');
    await cluster().apps.deleteNamespacedDeployment({ name: 'vanish', namespace: cluster().namespace });
    const r = await cluster().waitForRollout('vanish', 'invalid', (x) => x.status?.message?.startsWith('invalid:') ?? false, 20_000);
    expect(r.status?.message).toContain(`target Deployment ${cluster().namespace}/vanish not found`);
    expect(r.status?.message).toContain('live traffic routed to the primary');
    expect(r.status?.canaryWeight).toBe(0);
    expect(await routes('vanish')).toEqual({ weights: [100, 0], mirror: undefined });
  });

  it('routes to the primary when the spec turns invalid mid-release', async () => {
    await midRelease('turned');
    await cluster().custom.patchNamespacedCustomObject(
      {
        group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster().namespace, name: 'turned',
        body: { spec: { analysis: { interval: '1h', threshold: 2, metrics: [{ name: 'errors', query: 'sum(rate(x[1m])', thresholdRange: { max: 1 } }] } } },
      },
      mergePatch,
    );
    const r = await cluster().waitForRollout('turned', 'invalid', (x) => x.status?.message?.startsWith('invalid:') ?? false, 20_000);
    expect(r.status?.message).toMatch(/spec\.analysis\.metrics\[0\]\.query/);
    expect(await routes('turned')).toEqual({ weights: [100, 0], mirror: undefined });
  });

  it('points the apex Service and the route at the primary only once the primary is ready', async () => {
    const slow = podinfo('slow', undefined);
    slow.metadata = { ...slow.metadata, annotations: { [KubeletAnnotation.ReadyAfterMs]: '3000' } };
    await cluster().apps.createNamespacedDeployment({ namespace: cluster().namespace, body: slow });
    await cluster().createRollout(quickRollout('slow'));
    await cluster().waitForRollout('slow', 'waiting for the primary', (r) => r.status?.message?.startsWith('waiting for slow-primary to be ready') ?? false, 10_000);
    await expect(cluster().core.readNamespacedService({ name: 'slow', namespace: cluster().namespace })).rejects.toThrow();
    await expect(cluster().virtualService('slow')).rejects.toThrow();
    await cluster().waitForRollout('slow', 'Initialized', (r) => r.status?.phase === 'Initialized', 30_000);
    const apex = await cluster().core.readNamespacedService({ name: 'slow', namespace: cluster().namespace });
    expect(apex.spec?.selector).toEqual({ app: 'slow-primary' });
    // The primary takes 3 s to be ready: Service and route came after it, not with it.
    const primary = await cluster().apps.readNamespacedDeployment({ name: 'slow-primary', namespace: cluster().namespace });
    const gapMs = (apex.metadata?.creationTimestamp?.getTime() ?? 0) - (primary.metadata?.creationTimestamp?.getTime() ?? 0);
    expect(gapMs).toBeGreaterThanOrEqual(2000);
  });
});
