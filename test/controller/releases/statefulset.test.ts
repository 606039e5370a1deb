import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rollout } from '../../../src/api/types.gen.js';
import { canaryPodsFor } from '../../../src/domain/statefulset-pods.js';
import { PARTITION_TOP } from '../../../src/workload/partition.js';
import { podinfoStatefulSet, REVISION_HASH, updateStatefulSetWithRetry } from '../../../devenv/env/statefulsets.js';
import { waitFor } from '../../../devenv/env/processes.js';
import { MeshSimulator, type MeshSimulatorOptions } from '../../../devenv/sim/mesh-simulator.js';
import { addScrapeTarget, createNamespace, env, kubeConfig, removeScrapeTarget } from '../../support/env/context.js';
import { Cluster, startController, type ControllerProcess } from '../../support/harness.js';
import { quickRollout } from '../../support/rollouts.js';
import { readRoute, recordRoute, weightsOf } from '../../support/route-recorder.js';

const HEALTHY = { errorRate: 0, latencyMs: { p50: 20, p99: 50 } };
const REPLICAS = 4;
const ANALYSIS_THRESHOLD = 2;

/** One moment of a release: the route's canary weight, the partition, what the Services select, the revisions. */
interface Moment {
  readonly weight: number;
  readonly partition: number;
  readonly primary: string;
  readonly canary: string;
  readonly current: string;
  readonly update: string;
}

/**
 * A Rollout of the StatefulSet `web` of 4 pods: canary 25/50/75, gated on the
 * built-in success rate of each version's Service. Threshold 2, as in every
 * release test: a weight's first check comes 2 s after it is routed, and on a
 * loaded machine Prometheus (1 s scrapes) may not have the canary's series
 * twice by then, which reads as no data, a failed check (twice in CI at 1).
 */
function statefulRollout(spec: Partial<Rollout['spec']> = {}): Rollout {
  const r = quickRollout('web', {
    service: { name: 'web-svc', port: 9898 },
    strategy: { canary: { stepWeight: 25, maxWeight: 75 } },
    analysis: { interval: '2s', threshold: ANALYSIS_THRESHOLD, metrics: [{ name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } }] },
    ...spec,
  });
  return { ...r, spec: { ...r.spec, targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' } } };
}

/** A namespace with the simulator playing the data plane of `web-svc` (one workload for both versions), scraped, and a controller watching it. */
interface Stage {
  readonly cluster: Cluster;
  readonly sim: MeshSimulator;
  readonly controller: ControllerProcess;
}

async function stage(prefix: string, routes?: MeshSimulatorOptions['routes']): Promise<Stage> {
  const cluster = new Cluster(await createNamespace(prefix));
  const sim = await MeshSimulator.start({
    kubeConfig: kubeConfig(),
    namespace: cluster.namespace,
    target: 'web',
    service: 'web-svc',
    oneWorkload: true,
    ...(routes ? { routes } : {}),
    requestsPerSecond: 100,
    primary: HEALTHY,
    canary: HEALTHY,
  });
  addScrapeTarget(env().prometheusTargetsDir, `sim-${cluster.namespace}`, sim.address);
  return { cluster, sim, controller: await startController(cluster.namespace) };
}

async function unstage(s: Stage): Promise<void> {
  removeScrapeTarget(env().prometheusTargetsDir, `sim-${s.cluster.namespace}`);
  await s.controller.stop();
  await s.sim.stop();
}

describe('StatefulSet targets, released gradually by the controller process', () => {
  let cluster: Cluster;
  let sim: MeshSimulator;
  let controller: ControllerProcess;
  const read = (): Promise<V1StatefulSet> => cluster.apps.readNamespacedStatefulSet({ name: 'web', namespace: cluster.namespace });
  const selector = async (name: string): Promise<Record<string, string>> =>
    (await cluster.core.readNamespacedService({ name, namespace: cluster.namespace })).spec?.selector ?? {};
  const pods = async (): Promise<V1Pod[]> => (await cluster.core.listNamespacedPod({ namespace: cluster.namespace, labelSelector: 'app=web' })).items;
  const setImage = (image: string): Promise<void> =>
    updateStatefulSetWithRetry(cluster.apps, cluster.namespace, 'web', (sts) => {
      const container = sts.spec?.template.spec?.containers[0];
      if (container) container.image = image;
    });
  const momentNow = async (): Promise<Moment> => {
    const [sts, vs, primary, canary] = await Promise.all([read(), cluster.virtualService('web-svc'), selector('web-svc-primary'), selector('web-svc-canary')]);
    return {
      weight: vs.spec.http[0]?.route.find((r) => r.destination.host.startsWith('web-svc-canary'))?.weight ?? 0,
      partition: sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0,
      primary: primary[REVISION_HASH] ?? 'all',
      canary: canary[REVISION_HASH] ?? 'all',
      current: sts.status?.currentRevision ?? '',
      update: sts.status?.updateRevision ?? '',
    };
  };
  /** Every distinct moment until `stop()`, read four times a second. */
  const record = (): { moments: Moment[]; stop: () => Promise<void> } => {
    const moments: Moment[] = [];
    const state = { running: true };
    const loop = (async (): Promise<void> => {
      while (state.running) {
        const moment = await momentNow();
        if (JSON.stringify(moments.at(-1)) !== JSON.stringify(moment)) moments.push(moment);
        await new Promise((r) => setTimeout(r, 250));
      }
    })();
    const stop = async (): Promise<void> => {
      state.running = false;
      await loop;
    };
    return { moments, stop };
  };

  beforeAll(async () => {
    ({ cluster, sim, controller } = await stage('statefulset'));
    await cluster.apps.createNamespacedStatefulSet({ namespace: cluster.namespace, body: podinfoStatefulSet('web', REPLICAS) });
    await cluster.createRollout(statefulRollout());
    await cluster.waitForRollout('web', 'Initialized', (r) => r.status?.phase === 'Initialized', 90_000);
  });

  afterAll(async () => {
    await unstage({ cluster, sim, controller });
  });

  it('initializes with no primary copy: the partition at the top, every Service selecting the current revision', async () => {
    await waitFor('partition at the top', async () => (await read()).spec?.updateStrategy?.rollingUpdate?.partition === PARTITION_TOP, { timeoutMs: 10_000 });
    const sts = await read();
    const current = sts.status?.currentRevision ?? '';
    expect(current).toMatch(/^web-/);
    await expect(cluster.apps.readNamespacedStatefulSet({ name: 'web-primary', namespace: cluster.namespace })).rejects.toMatchObject({ code: 404 });
    for (const name of ['web-svc', 'web-svc-primary', 'web-svc-canary']) expect(await selector(name)).toEqual({ app: 'web', [REVISION_HASH]: current });
  });

  it('releases a new revision onto the canary pods as the weight grows, then rolls the rest and rests with the partition at the top', async () => {
    const before = (await read()).status?.currentRevision ?? '';
    const recorder = record();
    await setImage('ghcr.io/stefanprodan/podinfo:6.6.0');
    const r = await cluster.waitForRollout('web', 'Succeeded', (x) => x.status?.phase === 'Succeeded', 120_000);
    await waitFor('partition back at the top', async () => (await read()).spec?.updateStrategy?.rollingUpdate?.partition === PARTITION_TOP, { timeoutMs: 10_000 });
    await recorder.stop();
    const { moments } = recorder;
    const update = (await read()).status?.updateRevision ?? '';
    expect(update).not.toBe(before);
    // Each weight is routed only once the partition lets its share of pods run the new revision, and the canary's Service selects exactly those.
    const weights = moments.map((m) => m.weight).filter((w, i, all) => i === 0 || all[i - 1] !== w);
    expect(weights).toEqual([0, 25, 50, 75, 0]);
    for (const m of moments.filter((x) => x.weight > 0 && x.partition > 0)) {
      expect(m.partition, JSON.stringify(m)).toBeLessThanOrEqual(REPLICAS - canaryPodsFor(REPLICAS, m.weight));
      expect(m.canary).toBe(update);
      // Promotion points the primary's Service at every pod just before the partition goes to 0.
      expect([before, 'all']).toContain(m.primary);
    }
    expect(moments.filter((m) => m.primary === 'all').every((m) => m.weight === 75 || m.weight === 0)).toBe(true);
    expect(moments.filter((m) => m.weight > 0).map((m) => m.partition).filter((p) => p > 0)).toEqual(expect.arrayContaining([3, 2, 1]));
    // Promotion: the primary's Service takes every pod and the partition goes to 0, until every pod runs the new revision.
    expect(moments.some((m) => m.partition === 0 && m.primary === 'all')).toBe(true);
    const sts = await read();
    expect(sts.status).toMatchObject({ currentRevision: update, updateRevision: update, updatedReplicas: REPLICAS, readyReplicas: REPLICAS });
    expect(r.status?.message).toMatch(/promotion of revision .* complete/);
    expect((await pods()).map((p) => p.metadata?.labels?.[REVISION_HASH])).toEqual(Array(REPLICAS).fill(update));
    await waitFor('Services on the new revision', async () => (await selector('web-svc-primary'))[REVISION_HASH] === update, { timeoutMs: 10_000 });
    expect(await selector('web-svc-canary')).toEqual({ app: 'web', [REVISION_HASH]: update });
  });

  it('refuses, by field, a StatefulSet of one replica and a query that cannot tell the versions apart, routing nothing', async () => {
    await cluster.apps.createNamespacedStatefulSet({ namespace: cluster.namespace, body: podinfoStatefulSet('solo', 1) });
    const solo = quickRollout('solo');
    await cluster.createRollout({ ...solo, spec: { ...solo.spec, targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'solo' } } });
    const refused = await cluster.waitForRollout('solo', 'refused', (x) => (x.status?.message ?? '').includes('spec.replicas'));
    expect(refused.status?.message).toContain(`StatefulSet ${cluster.namespace}/solo: spec.replicas is 1`);
    expect(refused.status?.conditions?.find((c) => c.type === 'Invalid')?.status).toBe('True');

    await cluster.apps.createNamespacedStatefulSet({ namespace: cluster.namespace, body: podinfoStatefulSet('blind', 2) });
    const blind = quickRollout('blind', { analysis: { interval: '1s', metrics: [{ name: 'errors', query: 'sum(rate(istio_requests_total{destination_workload="{{ target }}"}[1m]))', thresholdRange: { max: 1 } }] } });
    await cluster.createRollout({ ...blind, spec: { ...blind.spec, targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'blind' } } });
    const unsure = await cluster.waitForRollout('blind', 'refused', (x) => (x.status?.message ?? '').includes('versionService'));
    expect(unsure.status?.message).toContain('spec.analysis.metrics[0].query: does not use {{ versionService }}');
    const events = await cluster.core.listNamespacedEvent({ namespace: cluster.namespace });
    expect(events.items.filter((e) => e.involvedObject.name === 'blind').map((e) => e.reason)).toContain('InvalidSpec');
    // Refused before anything moved: its partition is the user's default.
    expect((await cluster.apps.readNamespacedStatefulSet({ name: 'blind', namespace: cluster.namespace })).spec?.updateStrategy?.rollingUpdate?.partition ?? 0).toBe(0);
  });

  it('rolls back a failing canary: routes to the primary first, then the partition to the top, then the canary pods recreated at the current revision', async () => {
    const current = (await read()).status?.currentRevision ?? '';
    sim.setVersion('canary', { errorRate: 0.5 });
    const recorder = record();
    await setImage('ghcr.io/stefanprodan/podinfo:6.7.0');
    const r = await cluster.waitForRollout('web', 'Failed', (x) => x.status?.phase === 'Failed', 120_000);
    expect(r.status?.message).toMatch(/^rolled back: .*request-success-rate/);
    await waitFor('every pod back at the current revision', async () => (await pods()).filter((p) => !p.metadata?.deletionTimestamp).every((p) => p.metadata?.labels?.[REVISION_HASH] === current) && (await pods()).length === REPLICAS, { timeoutMs: 30_000 });
    await recorder.stop();
    sim.setVersion('canary', HEALTHY);
    const { moments } = recorder;
    const live = moments.findLastIndex((m) => m.weight > 0);
    const top = moments.findIndex((m, i) => i > live && m.partition === PARTITION_TOP);
    // The routes left the canary while its pods still ran; only then did the partition go back.
    expect(live).toBeGreaterThanOrEqual(0);
    expect(moments[live]?.partition).toBeLessThan(PARTITION_TOP);
    expect(top).toBeGreaterThan(live);
    expect(moments.slice(live + 1, top).every((m) => m.weight === 0)).toBe(true);
    const sts = await read();
    expect(sts.spec?.updateStrategy?.rollingUpdate?.partition).toBe(PARTITION_TOP);
    expect(sts.status?.currentRevision).toBe(current);
    // The template stays the new one, as with a Deployment target: the user reverts it or ships a fix.
    expect(sts.spec?.template.spec?.containers[0]?.image).toBe('ghcr.io/stefanprodan/podinfo:6.7.0');
    expect(await selector('web-svc-primary')).toEqual({ app: 'web', [REVISION_HASH]: current });
    const events = await cluster.core.listNamespacedEvent({ namespace: cluster.namespace });
    const reasons = events.items.filter((e) => e.involvedObject.name === 'web').map((e) => e.reason);
    expect(reasons).toContain('RolledBack');
    expect(reasons).toContain('RecreatingPod');
  });
});

describe('a StatefulSet target behind the Gateway API', () => {
  let cluster: Cluster;
  let sim: MeshSimulator;
  let controller: ControllerProcess;

  beforeAll(async () => {
    ({ cluster, sim, controller } = await stage('sts-gateway', { kind: 'HTTPRoute' }));
  });

  afterAll(async () => {
    await unstage({ cluster, sim, controller });
  });

  it('splits traffic between the per-revision Services as the HTTPRoute weights them, with no router change', async () => {
    await cluster.apps.createNamespacedStatefulSet({ namespace: cluster.namespace, body: podinfoStatefulSet('web', REPLICAS) });
    // Istio's built-ins do not apply to the Gateway API: Contour's upstream counters, per backend Service, do.
    const byService = 'envoy_cluster_name=~"{{ namespace }}/{{ versionService }}/.*"';
    const query = `100 * sum(rate(envoy_cluster_upstream_rq{${byService},envoy_response_code!~"5.."}[{{ interval }}])) / sum(rate(envoy_cluster_upstream_rq{${byService}}[{{ interval }}]))`;
    const metrics = [{ name: 'success-rate', query, interval: '10s', thresholdRange: { min: 99 } }];
    await cluster.createRollout(statefulRollout({ provider: 'gatewayapi', analysis: { interval: '2s', threshold: ANALYSIS_THRESHOLD, metrics } }));
    await cluster.waitForRollout('web', 'Initialized', (r) => r.status?.phase === 'Initialized', 90_000);
    const recorder = await recordRoute(cluster.namespace, 'gatewayapi', 'web-svc');
    await updateStatefulSetWithRetry(cluster.apps, cluster.namespace, 'web', (sts) => {
      const container = sts.spec?.template.spec?.containers[0];
      if (container) container.image = 'ghcr.io/stefanprodan/podinfo:6.6.0';
    });
    const r = await cluster.waitForRollout('web', 'Succeeded', (x) => x.status?.phase === 'Succeeded', 120_000);
    recorder.stop();
    expect(weightsOf(recorder.views)).toEqual([25, 50, 75, 0]);
    expect(r.status?.analysis?.[0]).toMatchObject({ name: 'success-rate', passed: true });
    const route = (await readRoute(cluster.namespace, 'gatewayapi', 'web-svc')) as { spec: { rules: { backendRefs: { name: string }[] }[] } };
    expect(route.spec.rules.at(-1)?.backendRefs.map((b) => b.name)).toEqual(['web-svc-primary', 'web-svc-canary']);
  });
});
