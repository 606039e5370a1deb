import { AppsV1Api, AutoscalingV2Api, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MeshProvider, Rollout } from '../../../src/api/types.gen.js';
import { SIGNATURE_HEADER } from '../../../src/http/safe-post.js';
import { MeshSimulator, type MeshSimulatorOptions } from '../../../devenv/sim/mesh-simulator.js';
import { updateStatefulSetWithRetry } from '../../../devenv/env/statefulsets.js';
import { addScrapeTarget, createNamespace, env, kubeConfig, mergePatch, removeScrapeTarget } from '../../support/env/context.js';
import { documents, exampleFiles, exampleText } from '../../api/example-files.js';
import { HttpSink } from '../../notifier/sink.js';
import { Cluster, startController } from '../../support/harness.js';
import { readRoute, recordRoute, weightsOf, type RouteView } from '../../support/route-recorder.js';

// Every example in deploy/examples released end to end: the files as
// written, with only what a test machine must change (see forTheTest), the
// controller as its own process, the mesh simulator as the data plane and
// the test Prometheus scraping it.

const NEW_IMAGE = 'ghcr.io/stefanprodan/podinfo:6.7.1';

interface Released {
  readonly rollout: Rollout;
  /** Every distinct state of the route object during the release. */
  readonly views: readonly RouteView[];
  readonly sim: MeshSimulator;
  readonly sink: HttpSink;
  readonly routeObject: unknown;
  readonly namespace: string;
}

interface ExampleCase {
  readonly file: string;
  readonly provider: MeshProvider;
  /** The route object the Rollout writes or adopts. */
  readonly routeObject: string;
  readonly sim?: Pick<MeshSimulatorOptions, 'routes' | 'matchedShare' | 'oneWorkload'>;
  /** The change that starts the release; default: a new image in the Deployment podinfo. */
  readonly change?: (cluster: Cluster) => Promise<void>;
  /** Runs while the release is under way, e.g. the approval a gate waits for. */
  readonly during?: (cluster: Cluster) => Promise<void>;
  /** Webhooks (by name) the stand-in answers 500, e.g. a rollback gate that must stay closed. */
  readonly failing?: readonly string[];
  readonly check: (released: Released) => void | Promise<void>;
}

const CASES: readonly ExampleCase[] = [
  {
    file: 'canary.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    check: ({ views, rollout }) => {
      expect(weightsOf(views)).toEqual([10, 20, 40, 80, 0]);
      expect(rollout.status?.analysis?.[0]).toMatchObject({ name: 'request-success-rate', passed: true });
    },
  },
  {
    file: 'autoscaler.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    check: async ({ views, namespace }) => {
      expect(weightsOf(views)).toEqual([10, 20, 40, 80, 0]);
      // The primary's own HPA: the user's spec, scaling podinfo-primary.
      const copy = await kubeConfig().makeApiClient(AutoscalingV2Api).readNamespacedHorizontalPodAutoscaler({ name: 'podinfo-primary', namespace });
      expect(copy.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'podinfo-primary' }, minReplicas: 2, maxReplicas: 10 });
    },
  },
  {
    file: 'canary-mirror.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    check: ({ views }) => {
      const firstStep = views.findIndex((v) => v.weights[1] > 0);
      expect(views.slice(0, firstStep).some((v) => v.mirror === 100)).toBe(true);
      // stepWeight 10 to maxWeight 50, then stepWeightPromotion 25 hands traffic back.
      expect(weightsOf(views)).toEqual([10, 20, 30, 40, 50, 25, 0]);
    },
  },
  {
    file: 'canary-prometheus-slack.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    during: approveWhenWaiting,
    check: ({ rollout, views, sink }) => {
      expect(weightsOf(views)).toEqual([5, 10, 25, 50, 80, 0]);
      expect(rollout.status?.approval?.by).toBe('examples-test');
      const analysed = new Set((rollout.status?.analysis ?? []).map((a) => a.name));
      expect(analysed).toEqual(new Set(['request-success-rate', 'request-duration', 'error-ratio', 'p95-latency', 'load-test']));
      const window = sink.received.filter((r) => r.path === '/hooks/release-window');
      expect(window.length).toBeGreaterThan(0);
      expect(window.every((r) => typeof r.headers[SIGNATURE_HEADER.toLowerCase()] === 'string')).toBe(true);
      expect(sink.delivered('/hooks/load-test').length).toBeGreaterThan(0);
      const team = JSON.stringify(sink.delivered('/alerts/slack-deploys-webhook'));
      expect(team).toMatch(/promot/i);
      // on-call hears only errors, and this release had none.
      expect(sink.delivered('/alerts/slack-on-call-webhook')).toEqual([]);
    },
  },
  {
    file: 'blue-green.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    check: ({ views, sink, rollout }) => {
      expect(views.filter((v) => v.weights[1] === 0).some((v) => v.mirror === 50)).toBe(true);
      expect(weightsOf(views)).toEqual([100, 0]);
      expect(rollout.status?.iterations).toBe(10);
      expect(sink.delivered('/hooks/smoke-tests').length).toBeGreaterThan(0);
    },
  },
  {
    file: 'ab-testing.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    sim: { matchedShare: 0.1 },
    check: ({ views, sim }) => {
      expect(views.some((v) => v.match)).toBe(true);
      expect(views.every((v) => v.weights[1] === 0)).toBe(true);
      expect(views.at(-1)?.match).toBe(false);
      expect(sim.totals().canary).toBeGreaterThan(0);
    },
  },
  {
    file: 'adopt-virtual-service.yaml',
    provider: 'istio',
    routeObject: 'shop',
    sim: { routes: { kind: 'VirtualService', name: 'shop', route: 'main' } },
    check: ({ views, routeObject }) => {
      expect(weightsOf(views)).toEqual([10, 30, 60, 0]);
      // The user's other route, hosts, gateways and retries are as written.
      expect(routeObject).toMatchObject({
        spec: {
          hosts: ['shop.example.com'],
          gateways: ['istio-system/public-gateway'],
          http: [
            { name: 'static', match: [{ uri: { prefix: '/static' } }], route: [{ destination: { host: 'static-files' } }] },
            { name: 'main', retries: { attempts: 3 } },
          ],
        },
      });
    },
  },
  {
    file: 'webhook-gates.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    during: approveWhenWaiting,
    failing: ['incident-open'],
    check: ({ rollout, views, sink }) => {
      expect(weightsOf(views)).toEqual([10, 50, 0]);
      expect(rollout.status?.approval?.by).toBe('examples-test');
      const window = sink.received.filter((r) => r.path === '/hooks/change-window');
      expect(window.length).toBeGreaterThan(0);
      expect(window.every((r) => typeof r.headers[SIGNATURE_HEADER.toLowerCase()] === 'string')).toBe(true);
      for (const hook of ['acceptance-tests', 'contract-tests', 'capacity-check']) expect(sink.delivered(`/hooks/${hook}`).length, hook).toBeGreaterThan(0);
      // Asked at every tick, answered no: the release went on.
      expect(sink.received.filter((r) => r.path === '/hooks/incident-open').length).toBeGreaterThan(0);
      const events = sink.delivered('/hooks/audit-log').map((b) => b['metadata'] as Record<string, unknown> | undefined);
      expect(events).toContainEqual(expect.objectContaining({ eventReason: 'NewRevision', team: 'shop' }));
    },
  },
  {
    file: 'gateway-api.yaml',
    provider: 'gatewayapi',
    routeObject: 'podinfo',
    sim: { routes: { kind: 'HTTPRoute' } },
    check: ({ views, rollout }) => {
      expect(weightsOf(views)).toEqual([10, 25, 50, 0]);
      expect(rollout.status?.analysis?.[0]).toMatchObject({ name: 'success-rate', passed: true });
    },
  },
  {
    file: 'statefulset.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    sim: { oneWorkload: true },
    change: (cluster) =>
      updateStatefulSetWithRetry(cluster.apps, cluster.namespace, 'podinfo', (sts) => {
        const container = sts.spec?.template.spec?.containers[0];
        if (container) container.image = NEW_IMAGE;
      }),
    check: async ({ views, namespace }) => {
      expect(weightsOf(views)).toEqual([25, 50, 75, 0]);
      const sts = await kubeConfig().makeApiClient(AppsV1Api).readNamespacedStatefulSet({ name: 'podinfo', namespace });
      expect(sts.status?.currentRevision).toBe(sts.status?.updateRevision);
      expect(sts.spec?.template.spec?.containers[0]?.image).toBe(NEW_IMAGE);
    },
  },
  {
    file: 'session-affinity.yaml',
    provider: 'istio',
    routeObject: 'podinfo',
    check: ({ views }) => {
      expect(weightsOf(views)).toEqual([5, 20, 50, 0]);
      expect(views.find((v) => v.weights[1] === 5)?.affinity).toBe(true);
      expect(views.at(-1)).toMatchObject({ weights: [100, 0], affinity: false });
    },
  },
];

describe('every example in deploy/examples is released', () => {
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await HttpSink.start();
  });
  afterAll(async () => {
    await sink.stop();
  });

  it('covers every example Rollout', () => {
    const withRollouts = exampleFiles().filter((file) => documents(file).some((d) => d.kind === 'Rollout'));
    expect(CASES.map((c) => c.file).sort()).toEqual(withRollouts);
  });

  it.concurrent.each(CASES.map((c) => [c.file, c] as const))('%s', async (_file, example) => {
    const released = await release(example, sink);
    expect(released.rollout.status?.phase, released.rollout.status?.message).toBe('Succeeded');
    expect(released.views.at(-1)?.weights).toEqual([100, 0]);
    await example.check(released);
  });
});

async function release(example: ExampleCase, sink: HttpSink): Promise<Released> {
  const cluster = new Cluster(await createNamespace(example.file.replace('.yaml', '').slice(0, 20)));
  const scrapeName = `sim-${cluster.namespace}`;
  const sim = await MeshSimulator.start({
    kubeConfig: kubeConfig(),
    namespace: cluster.namespace,
    target: 'podinfo',
    requestsPerSecond: 100,
    primary: HEALTHY,
    canary: HEALTHY,
    ...example.sim,
  });
  addScrapeTarget(env().prometheusTargetsDir, scrapeName, sim.address);
  for (const hook of example.failing ?? []) sink.fail(`/hooks/${hook}`, true);
  const controller = await startController(cluster.namespace);
  try {
    const api = KubernetesObjectApi.makeApiClient(kubeConfig());
    for (const doc of [...needs(example.file), example.file].flatMap(documents)) {
      await api.create(forTheTest({ ...doc, metadata: { ...doc.metadata, namespace: cluster.namespace } }, sink));
    }
    await cluster.waitForRollout('podinfo', 'Initialized', (r) => r.status?.phase === 'Initialized', 90_000);
    const recorder = await recordRoute(cluster.namespace, example.provider, example.routeObject);
    await (example.change ?? ((c: Cluster): Promise<void> => c.setImage('podinfo', NEW_IMAGE)))(cluster);
    await example.during?.(cluster);
    const rollout = await cluster.waitForRollout('podinfo', 'Succeeded or Failed', (r) => r.status?.phase === 'Succeeded' || r.status?.phase === 'Failed', 150_000);
    recorder.stop();
    const routeObject = await readRoute(cluster.namespace, example.provider, example.routeObject);
    return { rollout, views: recorder.views, sim, sink, routeObject, namespace: cluster.namespace };
  } finally {
    removeScrapeTarget(env().prometheusTargetsDir, scrapeName);
    await controller.stop();
    await sim.stop();
  }
}

/** No 5xx at all (so an error ratio must read 0, not "no data"), within every latency bound of the examples. */
const HEALTHY = { errorRate: 0, latencyMs: { p50: 20, p99: 80 } };

/**
 * What a test machine must change in an example, and nothing else: the
 * analysis interval (1m would make a release take many minutes; 5 s keeps
 * a window of several 1 s scrapes), URLs of services that do not exist here
 * (webhooks, Slack, Prometheus) pointed at local stand-ins.
 */
function forTheTest(doc: KubernetesObject, sink: HttpSink): KubernetesObject {
  const copy = structuredClone(doc) as KubernetesObject & Record<string, unknown>;
  const name = copy.metadata?.name ?? '';
  const analysis = copy.kind === 'Rollout' ? (copy as unknown as Rollout).spec.analysis : undefined;
  if (analysis) {
    analysis.interval = '5s';
    for (const hook of analysis.webhooks ?? []) if (hook.url) hook.url = `${sink.url}/hooks/${hook.name}`;
  }
  if (copy.kind === 'MetricTemplate') (copy['spec'] as { provider: { address: string } }).provider.address = env().prometheusUrl;
  const stringData = copy['stringData'] as Record<string, string> | undefined;
  if (copy.kind === 'Secret' && stringData?.['address']) stringData['address'] = `${sink.url}/alerts/${name}`;
  return copy;
}

/** Approves the release once its confirm-promotion gate holds it, as `kubectl flowshift approve` does. */
async function approveWhenWaiting(cluster: Cluster): Promise<void> {
  const waiting = await cluster.waitForRollout('podinfo', 'WaitingPromotion', (r) => r.status?.phase === 'WaitingPromotion', 120_000);
  const approval = { revision: waiting.status?.lastAppliedSpec ?? '', by: 'examples-test', at: new Date().toISOString() };
  await cluster.custom.patchNamespacedCustomObject(
    { group: 'flowshift.io', version: 'v1alpha1', plural: 'rollouts', namespace: cluster.namespace, name: 'podinfo', body: { metadata: { annotations: { 'flowshift.io/approve': JSON.stringify(approval) } } } },
    mergePatch,
  );
}

/** The files an example's "Needs:" line names, so the line is tested too. */
function needs(file: string): string[] {
  const line = /^# Needs: (.*(?:\n# .*)*)/m.exec(exampleText(file))?.[1] ?? '';
  return [...line.matchAll(/([\w-]+\.yaml)/g)].map((m) => m[1] ?? '');
}
