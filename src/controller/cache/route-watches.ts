import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { MeshProvider } from '../../api/types.gen.js';
import type { KubeClients } from '../../kube/client.js';
import { MANAGED_BY } from '../../api/names.js';
import { ROUTERS } from '../../router/registry.js';
import type { CustomObject } from '../../router/custom-object.js';
import { NotCached, type RouteCache } from '../../router/route-cache.js';
import { customObjects } from '../../kube/collections.js';
import { ResilientInformer } from '../../kube/informer.js';

const SELECTOR = Object.entries(MANAGED_BY).map(([k, v]) => `${k}=${v}`).join(',');

/** Told when a route object of a Rollout (its controller owner, by uid) changed, or was deleted (undefined). */
export type RouteChange = (ownerUid: string, object: CustomObject | undefined) => void;

/**
 * Informers on the route objects flowshift labels as its own, per served
 * route API and watched namespace. Ticks read routes from them instead of
 * the API server, and a route edited by hand (drift) or deleted wakes its
 * Rollout, even one whose tick chain rests.
 */
export class RouteWatches implements RouteCache {
  private readonly informers = new Map<string, ResilientInformer<KubernetesObject>[]>();
  private started = false;

  constructor(
    private readonly clients: KubeClients,
    private readonly namespaces: readonly string[],
    private readonly onChange: RouteChange,
    private readonly log: Logger,
  ) {}

  /** Starts the informers of the providers whose route API the API server serves. */
  async start(served: readonly MeshProvider[]): Promise<void> {
    const changed = (obj: KubernetesObject): void => this.changed(obj, obj);
    const deleted = (obj: KubernetesObject): void => this.changed(obj, undefined);
    for (const provider of served) {
      const { api: { group, version }, plural } = ROUTERS[provider];
      const scoped = this.namespaces.length ? this.namespaces : [undefined];
      const informers = scoped.map(
        (namespace) => new ResilientInformer(this.clients, customObjects(this.clients, { group, version, plural }, namespace), { add: changed, update: changed, delete: deleted }, this.log, { labelSelector: SELECTOR }),
      );
      this.informers.set(plural, informers);
    }
    await Promise.all([...this.informers.values()].flat().map((i) => i.start()));
    this.started = true;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.informers.values()].flat().map((i) => i.stop()));
  }

  route(plural: string, namespace: string, name: string): CustomObject | undefined | typeof NotCached {
    const informers = this.informers.get(plural);
    // An informer that could not list (forbidden, CRD gone) is no answer: the tick reads instead.
    if (!this.started || !informers?.every((i) => i.synced())) return NotCached;
    for (const i of informers) {
      const found = i.get(name, namespace);
      if (found) return found;
    }
    return undefined;
  }

  private changed(obj: KubernetesObject, now: KubernetesObject | undefined): void {
    const owner = obj.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Rollout');
    if (owner) this.onChange(owner.uid, now);
  }
}
