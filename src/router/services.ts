import { CoreV1Api, type V1Service, type V1ServicePort } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import { isNotFound, mergePatch } from '../kube/errors.js';
import { MANAGED_BY, ownedNames, ownerReference } from '../kube/names.js';
import { stableJson } from '../target/revision.js';

/** The selector label of the target's pods, e.g. { key: 'app', value: 'podinfo' }. */
export interface PodLabel {
  readonly key: string;
  readonly value: string;
}

/**
 * The Kubernetes Services of a Rollout: the apex name clients use (selecting
 * primary pods), and one host per version so Istio's metrics separate them.
 */
export class ServiceRouter {
  private readonly core: CoreV1Api;

  constructor(clients: KubeClients) {
    this.core = clients.make(CoreV1Api);
  }

  async ensure(rollout: Rollout, label: PodLabel): Promise<void> {
    const names = ownedNames(rollout);
    const primarySelector = { [label.key]: `${label.value}-primary` };
    await Promise.all([
      this.upsert(rollout, names.service, primarySelector),
      this.upsert(rollout, names.primaryService, primarySelector),
      this.upsert(rollout, names.canaryService, { [label.key]: label.value }),
    ]);
  }

  /** revertOnDeletion: the apex Service selects the user's Deployment again and outlives the Rollout. */
  async revert(rollout: Rollout, label: PodLabel): Promise<void> {
    const names = ownedNames(rollout);
    await this.core.patchNamespacedService(
      {
        name: names.service,
        namespace: names.namespace,
        body: { metadata: { ownerReferences: null }, spec: { selector: { [label.key]: label.value } } },
      },
      mergePatch,
    );
  }

  private async upsert(rollout: Rollout, name: string, selector: Record<string, string>): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const ports = servicePorts(rollout);
    let current: V1Service | undefined;
    try {
      current = await this.core.readNamespacedService({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!current) {
      await this.core.createNamespacedService({
        namespace,
        body: {
          metadata: { name, namespace, labels: { ...MANAGED_BY }, ownerReferences: [ownerReference(rollout)] },
          spec: { type: 'ClusterIP', selector, ports },
        },
      });
      return;
    }
    const same = stableJson(current.spec?.selector) === stableJson(selector) && samePorts(current.spec?.ports, ports);
    if (same) return;
    await this.core.patchNamespacedService({ name, namespace, body: { spec: { selector, ports } } }, mergePatch);
  }
}

function servicePorts(rollout: Rollout): V1ServicePort[] {
  const s = rollout.spec.service;
  return [{ name: s.portName ?? 'http', port: s.port, targetPort: s.targetPort ?? s.port, protocol: 'TCP' }];
}

function samePorts(current: V1ServicePort[] | undefined, wanted: V1ServicePort[]): boolean {
  const key = (p: V1ServicePort): string => `${p.name ?? ''}:${p.port}:${String(p.targetPort ?? p.port)}:${p.protocol ?? 'TCP'}`;
  return (current ?? []).map(key).join(',') === wanted.map(key).join(',');
}
