import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Watch } from '@kubernetes/client-node';
import type { MeshProvider, Rollout, RolloutSpec } from '../../src/api/types.gen.js';
import { createNamespace, kubeConfig, KubeletAnnotation } from '../env/context.js';
import { Cluster, podinfo, rolloutOf, startController, type ControllerProcess } from './harness.js';

/** What a route object does with traffic, in one line, the same for every router. */
interface RouteView {
  readonly weights: readonly [number, number];
  readonly match: boolean;
  readonly affinity: boolean;
  readonly mirror: number;
}

const ROUTE_OBJECT: Record<MeshProvider, { readonly path: string; readonly view: (obj: unknown) => RouteView }> = {
  istio: {
    path: 'apis/networking.istio.io/v1',
    view: (obj) => {
      const http = ((obj as { spec?: { http?: { name?: string; route?: { destination?: { host?: string }; weight?: number }[]; mirrorPercentage?: { value?: number } }[] } }).spec?.http ?? []);
      const weighted = http.find((r) => r.name === 'flowshift-weighted') ?? http.at(-1);
      const weight = (suffix: string): number => weighted?.route?.find((d) => d.destination?.host?.endsWith(suffix))?.weight ?? 0;
      return {
        weights: [weight('-primary'), weight('-canary')],
        match: http.some((r) => r.name === 'flowshift-ab-testing'),
        affinity: http.some((r) => r.name === 'flowshift-session-affinity'),
        mirror: weighted?.mirrorPercentage?.value ?? 0,
      };
    },
  },
  gatewayapi: {
    path: 'apis/gateway.networking.k8s.io/v1',
    view: (obj) => {
      const rules = ((obj as { spec?: { rules?: { name?: string; backendRefs?: { name?: string; weight?: number }[]; filters?: { requestMirror?: { percent?: number } }[] }[] } }).spec?.rules ?? []);
      const weighted = rules.find((r) => r.name === 'flowshift-weighted') ?? rules.at(-1);
      const weight = (suffix: string): number => weighted?.backendRefs?.find((b) => b.name?.endsWith(suffix))?.weight ?? 0;
      return {
        weights: [weight('-primary'), weight('-canary')],
        match: rules.some((r) => r.name === 'flowshift-ab-testing'),
        affinity: rules.some((r) => r.name === 'flowshift-session-affinity'),
        mirror: weighted?.filters?.find((f) => f.requestMirror)?.requestMirror?.percent ?? 0,
      };
    },
  },
};
const PLURAL: Record<MeshProvider, string> = { istio: 'virtualservices', gatewayapi: 'httproutes' };

/** Every distinct view of a route object as it changes (a watch, so no state is missed). */
async function recordRoute(namespace: string, provider: MeshProvider, name: string): Promise<{ views: RouteView[]; stop: () => void }> {
  const views: RouteView[] = [];
  let stopped = false;
  let current: { abort: () => void } | undefined;
  const open = async (): Promise<void> => {
    if (stopped) return;
    current = await new Watch(kubeConfig()).watch(
      `/${ROUTE_OBJECT[provider].path}/namespaces/${namespace}/${PLURAL[provider]}`,
      { fieldSelector: `metadata.name=${name}` },
      (type: string, obj: unknown) => {
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const view = ROUTE_OBJECT[provider].view(obj);
        if (JSON.stringify(views.at(-1)) !== JSON.stringify(view)) views.push(view);
      },
      () => {
        if (!stopped) setTimeout(() => void open().catch(() => undefined), 200);
      },
    );
  };
  await open();
  return { views, stop: () => ((stopped = true), current?.abort()) };
}

/**
 * The canary weights the route went through, from the first one off 0 (the
 * watch may open after the route's first write, so a leading 0 is not
 * reliably seen).
 */
const weightsOf = (views: readonly RouteView[]): number[] => {
  const weights = views.map((v) => v.weights[1]).filter((w, i, all) => i === 0 || all[i - 1] !== w);
  return weights[0] === 0 ? weights.slice(1) : weights;
};

describe.each(['istio', 'gatewayapi'] as const)('every strategy on the %s router, through the controller process', (provider) => {
  let cluster: Cluster;
  let controller: ControllerProcess;

  beforeAll(async () => {
    cluster = new Cluster(await createNamespace(`strat-${provider}`));
    controller = await startController(cluster.namespace);
  });
  afterAll(async () => {
    await controller.stop();
  });

  async function initialized(name: string, spec: Partial<RolloutSpec>): Promise<void> {
    await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo(name) });
    await cluster.createRollout(rolloutOf(name, { provider, ...spec }));
    await cluster.waitForRollout(name, 'Initialized', (r) => r.status?.phase === 'Initialized');
  }

  async function release(name: string): Promise<{ rollout: Rollout; views: RouteView[] }> {
    const recorder = await recordRoute(cluster.namespace, provider, name);
    await cluster.setImage(name, 'ghcr.io/stefanprodan/podinfo:6.6.0');
    const rollout = await cluster.waitForRollout(name, 'Succeeded or Failed', (r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed', 60_000);
    recorder.stop();
    return { rollout, views: recorder.views };
  }

  it('canary: steps the weights and promotes', async () => {
    await initialized('canary', { strategy: { canary: { stepWeights: [30, 60] } } });
    const { rollout, views } = await release('canary');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(weightsOf(views)).toEqual([30, 60, 0]);
  });

  it('blue/green: no live traffic during the iterations, then all of it at once, then the promoted primary', async () => {
    await initialized('bluegreen', { strategy: { blueGreen: { iterations: 2 } } });
    const { rollout, views } = await release('bluegreen');
    expect(rollout.status).toMatchObject({ phase: 'Succeeded', strategy: 'blueGreen', iterations: 2 });
    expect(weightsOf(views)).toEqual([100, 0]);
  });

  it('A/B testing: only matching requests reach the canary, then promotion removes the match', async () => {
    await initialized('abtest', { strategy: { abTesting: { iterations: 2, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } } });
    const { rollout, views } = await release('abtest');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(views.some((v) => v.match && v.weights[1] === 0)).toBe(true);
    expect(views.every((v) => v.weights[1] === 0)).toBe(true);
    expect(views.at(-1)?.match).toBe(false);
  });

  it('A/B testing: a canary that stops being ready is rolled back with the match removed', async () => {
    await initialized('abfail', { strategy: { abTesting: { iterations: 20, match: [{ headers: { 'x-canary': { exact: 'insider' } } }] } }, progressDeadlineSeconds: 3 });
    const recorder = await recordRoute(cluster.namespace, provider, 'abfail');
    await cluster.setImage('abfail', 'ghcr.io/stefanprodan/podinfo:6.6.0');
    await cluster.waitForRollout('abfail', 'matching', (r) => r.status?.matchRouting === true, 30_000);
    await cluster.updateDeployment('abfail', (d) => {
      d.metadata = { ...d.metadata, annotations: { ...d.metadata?.annotations, [KubeletAnnotation.Unready]: 'true' } };
    });
    const rollout = await cluster.waitForRollout('abfail', 'Failed', (r) => r.status?.phase === 'Failed', 30_000);
    recorder.stop();
    expect(rollout.status?.message).toMatch(/^rolled back: canary abfail not ready/);
    expect(recorder.views.some((v) => v.match)).toBe(true);
    expect(recorder.views.at(-1)).toMatchObject({ weights: [100, 0], match: false });
  });

  it('session affinity: users sent to the canary are pinned to it while it has live traffic', async () => {
    await initialized('sticky', { strategy: { canary: { stepWeights: [20], sessionAffinity: { cookieName: 'pin' } } } });
    const { rollout, views } = await release('sticky');
    expect(rollout.status?.phase).toBe('Succeeded');
    expect(views.find((v) => v.weights[1] === 20)?.affinity).toBe(true);
    expect(views.at(-1)).toMatchObject({ weights: [100, 0], affinity: false });
  });
});
