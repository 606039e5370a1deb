import type { AnalysisSpec, MetricSpec, Rollout, RolloutSpec } from '../../src/api/types.gen.js';
import { MeshSimulator } from '../../devenv/sim/mesh-simulator.js';
import type { VersionBehaviourUpdate } from '../../devenv/sim/traffic-model.js';
import { addScrapeTarget, createNamespace, env, kubeConfig, removeScrapeTarget } from './env/context.js';
import { Cluster, podinfo, startController, type ControllerProcess } from './harness.js';
import { quickRollout } from './rollouts.js';

export const HEALTHY: VersionBehaviourUpdate = { errorRate: 0, latencyMs: { p50: 20, p99: 50 } };

/** A namespace with the simulator playing Envoy for `podinfo`, scraped by Prometheus, and a controller gating on it. */
export interface MeshScenario {
  readonly cluster: Cluster;
  readonly sim: MeshSimulator;
  readonly controller: ControllerProcess;
}

export interface MeshScenarioOptions {
  readonly primary?: VersionBehaviourUpdate;
  readonly canary?: VersionBehaviourUpdate;
  readonly rps?: number;
  readonly threshold?: number;
  readonly prometheusUrl?: string;
  readonly scrapeInto?: string;
  readonly strategy?: RolloutSpec['strategy'];
  readonly analysis?: Partial<AnalysisSpec>;
}

/** The scenario with the Rollout Initialized; stop it with stopScenario. */
export async function meshScenario(prefix: string, metrics: MetricSpec[], opts: MeshScenarioOptions = {}): Promise<MeshScenario> {
  const cluster = new Cluster(await createNamespace(prefix));
  const sim = await MeshSimulator.start({
    kubeConfig: kubeConfig(),
    namespace: cluster.namespace,
    target: 'podinfo',
    requestsPerSecond: opts.rps ?? 100,
    primary: opts.primary ?? HEALTHY,
    canary: opts.canary ?? HEALTHY,
  });
  addScrapeTarget(opts.scrapeInto ?? env().prometheusTargetsDir, `sim-${cluster.namespace}`, sim.address);
  const args = opts.prometheusUrl ? ['--prometheus-url', opts.prometheusUrl] : [];
  const controller = await startController(cluster.namespace, { extraArgs: args });
  await cluster.apps.createNamespacedDeployment({ namespace: cluster.namespace, body: podinfo('podinfo') });
  const rollout: Rollout = quickRollout('podinfo', {
    strategy: opts.strategy ?? { canary: { stepWeights: [20, 50] } },
    analysis: { interval: '2s', threshold: opts.threshold ?? 2, metrics, ...opts.analysis },
  });
  await cluster.createRollout(rollout);
  await cluster.waitForRollout('podinfo', 'Initialized', (r) => r.status?.phase === 'Initialized');
  return { cluster, sim, controller };
}

export async function stopScenario(s: MeshScenario, targetsDir = env().prometheusTargetsDir): Promise<void> {
  removeScrapeTarget(targetsDir, `sim-${s.cluster.namespace}`);
  await s.controller.stop();
  await s.sim.stop();
}
