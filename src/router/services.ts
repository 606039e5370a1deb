import type { V1Service, V1ServicePort, CoreV1Api } from '@kubernetes/client-node';
import type { KubeClients } from '../kube/client.js';
import type { Rollout } from '../api/types.gen.js';
import { isNotFound } from '../kube/errors.js';
import { MANAGED_BY, ownedNames, type VersionSelectors } from '../api/names.js';
import { ownerReference } from '../kube/ownership.js';
import { assertOwned, notOwnedMessage, ownedBy } from '../kube/ownership.js';
import { sameJson } from '../kube/same-json.js';

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
    this.core = clients.core;
  }

  async ensure(rollout: Rollout, selectors: VersionSelectors): Promise<void> {
    const names = ownedNames(rollout);
    await Promise.all([
      // With an adopted VirtualService the apex Service is the user's, like the route.
      ...(rollout.spec.service.virtualServiceRef ? [] : [this.upsert(rollout, names.service, selectors.primary)]),
      this.upsert(rollout, names.primaryService, selectors.primary),
      this.upsert(rollout, names.canaryService, selectors.canary),
    ]);
  }

  /**
   * Points the Services that exist at other pods (a StatefulSet's versions
   * follow its revisions); a missing one is left to ensure(), which creates
   * it. Only the selector is written, and only of this Rollout's Services.
   */
  async reselect(rollout: Rollout, selectors: VersionSelectors): Promise<void> {
    const names = ownedNames(rollout);
    const wanted: [string, Readonly<Record<string, string>>][] = [
      ...(rollout.spec.service.virtualServiceRef ? [] : [[names.service, selectors.primary] as [string, Readonly<Record<string, string>>]]),
      [names.primaryService, selectors.primary],
      [names.canaryService, selectors.canary],
    ];
    await Promise.all(wanted.map(([name, selector]) => this.select(rollout, name, selector)));
  }

  private async select(rollout: Rollout, name: string, selector: Readonly<Record<string, string>>): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const current = await this.read(namespace, name);
    if (!current || sameJson(current.spec?.selector, selector)) return;
    assertOwned(rollout, 'Service', namespace, name, current.metadata);
    await this.core.patchNamespacedService({ name, namespace, body: { spec: { selector: selectorPatch(current, selector) } } });
  }

  /** The Services under generated names that exist and belong to someone else, each with the fix. */
  async foreign(rollout: Rollout): Promise<string[]> {
    const names = ownedNames(rollout);
    const all = [...(rollout.spec.service.virtualServiceRef ? [] : [names.service]), names.primaryService, names.canaryService];
    const found = await Promise.all(all.map(async (name) => ({ name, service: await this.read(names.namespace, name) })));
    return found.flatMap(({ name, service }) => (service && !ownedBy(service.metadata, rollout) ? [notOwnedMessage('Service', names.namespace, name, service.metadata)] : []));
  }

  /** revertOnDeletion: the apex Service selects the user's Deployment again and outlives the Rollout. */
  async revert(rollout: Rollout, label: PodLabel): Promise<void> {
    const names = ownedNames(rollout);
    const apex = await this.read(names.namespace, names.service);
    if (!apex || !ownedBy(apex.metadata, rollout)) return;
    await this.core.patchNamespacedService(
      {
        name: names.service,
        namespace: names.namespace,
        body: { metadata: { ownerReferences: null }, spec: { selector: { [label.key]: label.value } } },
      },
    );
  }

  /** Lets `<service>-primary` outlive the Rollout, with the primary it selects. */
  async releasePrimary(rollout: Rollout): Promise<void> {
    const names = ownedNames(rollout);
    const service = await this.read(names.namespace, names.primaryService);
    if (!service || !ownedBy(service.metadata, rollout)) return;
    await this.core.patchNamespacedService({ name: names.primaryService, namespace: names.namespace, body: { metadata: { ownerReferences: null } } });
  }

  private async upsert(rollout: Rollout, name: string, selector: Readonly<Record<string, string>>): Promise<void> {
    const { namespace } = ownedNames(rollout);
    const ports = servicePorts(rollout);
    const current = await this.read(namespace, name);
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
    assertOwned(rollout, 'Service', namespace, name, current.metadata);
    const merged = mergePorts(current.spec?.ports ?? [], ports);
    const same = sameJson(current.spec?.selector, selector) && sameJson(current.spec?.ports, merged);
    if (same) return;
    // The whole ports list goes in the patch (a merge patch replaces lists), built to keep what others added.
    await this.core.patchNamespacedService({ name, namespace, body: { spec: { selector: selectorPatch(current, selector), ports: merged } } });
  }

  private async read(namespace: string, name: string): Promise<V1Service | undefined> {
    try {
      return await this.core.readNamespacedService({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}

/** A merge patch merges maps: the keys the new selector drops (a StatefulSet's revision hash) are sent as null. */
function selectorPatch(current: V1Service, selector: Readonly<Record<string, string>>): Record<string, string | null> {
  const dropped = Object.keys(current.spec?.selector ?? {}).filter((k) => !(k in selector));
  return { ...Object.fromEntries(dropped.map((k) => [k, null])), ...selector };
}

/**
 * The Service's ports with flowshift's own written over the port of the same
 * name: other ports stay, and an allocated nodePort is kept.
 */
export function mergePorts(current: readonly V1ServicePort[], wanted: readonly V1ServicePort[]): V1ServicePort[] {
  const merged = current.map((port) => {
    const ours = wanted.find((w) => w.name === port.name);
    return ours ? { ...ours, ...(port.nodePort ? { nodePort: port.nodePort } : {}) } : port;
  });
  const added = wanted.filter((w) => !current.some((p) => p.name === w.name));
  // A port number already taken by another name would make the Service invalid: ours replaces it.
  const kept = merged.filter((p) => !added.some((a) => a.port === p.port && a.name !== p.name));
  return [...kept, ...added];
}

function servicePorts(rollout: Rollout): V1ServicePort[] {
  const s = rollout.spec.service;
  return [{ name: s.portName ?? 'http', port: s.port, targetPort: s.targetPort ?? s.port, protocol: 'TCP' }];
}

