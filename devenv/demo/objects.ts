import { GROUP, VERSION } from '../../src/api/names.js';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Rollout } from '../../src/api/types.gen.js';
import { podinfo, updateWithRetry } from '../env/deployments.js';
import type { VersionBehaviourUpdate } from '../sim/mesh-simulator.js';

export const NAMESPACE = 'demo';
export const TARGET = 'podinfo';
export const IMAGE = 'ghcr.io/stefanprodan/podinfo';
export const HEALTHY: VersionBehaviourUpdate = { errorRate: 0, latencyMs: { p50: 20, p99: 60 } };
/** What the faulty release does: one request in four fails. */
export const FAULTY: VersionBehaviourUpdate = { errorRate: 0.25 };

const FLOWSHIFT = { group: GROUP, version: VERSION } as const;

/**
 * The demo's Rollout: three steps (10, 30, 60%) every 5 s, each gated on the
 * request success rate (≥ 99%) and p99 latency (≤ 500 ms) from Prometheus; a
 * manual confirm-promotion gate; every event to the Slack stand-in; rolled
 * back after 2 failed checks.
 */
export function demoRollout(): Rollout {
  return {
    apiVersion: 'flowshift.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: TARGET },
    spec: {
      targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: TARGET },
      service: { port: 9898 },
      strategy: { canary: { stepWeights: [10, 30, 60] } },
      progressDeadlineSeconds: 60,
      analysis: {
        interval: '5s',
        threshold: 2,
        metrics: [
          { name: 'request-success-rate', interval: '10s', thresholdRange: { min: 99 } },
          { name: 'request-duration', interval: '10s', thresholdRange: { max: 500 } },
        ],
        webhooks: [{ name: 'approval', type: 'confirm-promotion', manual: true }],
        alerts: [{ name: 'slack', severity: 'info', providerRef: { name: 'slack' } }],
      },
    },
  };
}

/** The API objects the walk-through works with. */
export class DemoObjects {
  private readonly apps: AppsV1Api;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kubeConfig: KubeConfig) {
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
  }

  /** The Slack AlertProvider, its webhook URL in a Secret as in deploy/examples/alert-provider.yaml. */
  async createAlertProvider(webhookUrl: string): Promise<void> {
    await this.core.createNamespacedSecret({ namespace: NAMESPACE, body: { metadata: { name: 'slack-webhook' }, stringData: { address: webhookUrl } } });
    await this.custom.createNamespacedCustomObject({
      ...FLOWSHIFT,
      plural: 'alertproviders',
      namespace: NAMESPACE,
      body: { apiVersion: 'flowshift.io/v1alpha1', kind: 'AlertProvider', metadata: { name: 'slack' }, spec: { type: 'slack', channel: '#deploys', secretRef: { name: 'slack-webhook' } } },
    });
  }

  async createApp(tag: string): Promise<void> {
    await this.apps.createNamespacedDeployment({ namespace: NAMESPACE, body: podinfo(TARGET, `${IMAGE}:${tag}`) });
    await this.custom.createNamespacedCustomObject({ ...FLOWSHIFT, plural: 'rollouts', namespace: NAMESPACE, body: demoRollout() });
  }

  /** A new release: what `kubectl set image` does. */
  async setImage(tag: string): Promise<void> {
    await updateWithRetry(this.apps, NAMESPACE, TARGET, (d) => {
      const container = d.spec?.template.spec?.containers[0];
      if (container) container.image = `${IMAGE}:${tag}`;
    });
  }

  async rollout(): Promise<Rollout> {
    return (await this.custom.getNamespacedCustomObject({ ...FLOWSHIFT, plural: 'rollouts', namespace: NAMESPACE, name: TARGET })) as Rollout;
  }

  /** The weights of the VirtualService flowshift writes, e.g. "primary 100 / canary 0". */
  async routes(): Promise<string> {
    const vs = (await this.custom.getNamespacedCustomObject({ group: 'networking.istio.io', version: 'v1', plural: 'virtualservices', namespace: NAMESPACE, name: TARGET })) as {
      spec?: { http?: { route?: { destination?: { host?: string }; weight?: number }[] }[] };
    };
    const route = vs.spec?.http?.[0]?.route ?? [];
    return route.map((r) => `${(r.destination?.host ?? '?').replace(`${TARGET}-`, '')} ${r.weight ?? 0}`).join(' / ');
  }
}
