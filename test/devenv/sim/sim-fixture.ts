import { CustomObjectsApi } from '@kubernetes/client-node';
import { MeshSimulator } from '../../../devenv/sim/mesh-simulator.js';
import type { VersionBehaviourUpdate } from '../../../devenv/sim/traffic-model.js';
import { addScrapeTarget, createNamespace, env, kubeConfig, removeScrapeTarget } from '../../support/env/context.js';

const group = 'networking.istio.io';
const version = 'v1';
const plural = 'virtualservices';

export interface Route {
  readonly primary: number;
  readonly canary: number;
  /** mirrorPercentage to the canary host; no mirror when absent. */
  readonly mirror?: number;
}

/** The VirtualService flowshift writes for service `name`: weights to `<name>-primary` / `<name>-canary`. */
export function virtualService(name: string, route: Route): object {
  const http: Record<string, unknown> = {
    route: [
      { destination: { host: `${name}-primary`, port: { number: 9898 } }, weight: route.primary },
      { destination: { host: `${name}-canary`, port: { number: 9898 } }, weight: route.canary },
    ],
  };
  if (route.mirror !== undefined) {
    http['mirror'] = { host: `${name}-canary`, port: { number: 9898 } };
    http['mirrorPercentage'] = { value: route.mirror };
  }
  return { apiVersion: `${group}/${version}`, kind: 'VirtualService', metadata: { name }, spec: { hosts: [name], http: [http] } };
}

export async function createVirtualService(namespace: string, name: string, route: Route): Promise<void> {
  await kubeConfig()
    .makeApiClient(CustomObjectsApi)
    .createNamespacedCustomObject({ group, version, plural, namespace, body: virtualService(name, route) });
}

export interface SimulatedService {
  readonly sim: MeshSimulator;
  readonly namespace: string;
  /** Removes the scrape target and stops the simulator. */
  readonly stop: () => Promise<void>;
}

/**
 * A simulator for Deployment `podinfo` in a fresh namespace, with its
 * VirtualService written first (when a route is given), scraped every second
 * by the shared Prometheus.
 */
export async function simulateService(
  prefix: string,
  options: { route?: Route; rps?: number; primary?: VersionBehaviourUpdate; canary?: VersionBehaviourUpdate } = {},
): Promise<SimulatedService> {
  const namespace = await createNamespace(prefix);
  if (options.route) await createVirtualService(namespace, 'podinfo', options.route);
  const sim = await MeshSimulator.start({
    kubeConfig: kubeConfig(),
    namespace,
    target: 'podinfo',
    requestsPerSecond: options.rps ?? 200,
    ...(options.primary ? { primary: options.primary } : {}),
    ...(options.canary ? { canary: options.canary } : {}),
  });
  const scrapeName = `sim-${namespace}`;
  addScrapeTarget(env().prometheusTargetsDir, scrapeName, sim.address);
  return {
    sim,
    namespace,
    stop: async () => {
      removeScrapeTarget(env().prometheusTargetsDir, scrapeName);
      await sim.stop();
    },
  };
}
