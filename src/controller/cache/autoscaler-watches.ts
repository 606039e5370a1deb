import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { AutoscalerKind } from '../../api/types.gen.js';
import type { KubeClients } from '../../kube/client.js';
import { ResilientInformer } from '../../kube/informer.js';
import { autoscalerApis, type AutoscalerObject } from '../../workload/autoscaler/kinds.js';
import type { Serves } from '../../workload/autoscaler/primary-autoscaler.js';

/** An autoscaler event the Rollouts naming it (or owning its copy) must see. */
export type AutoscalerChange = (kind: AutoscalerKind, namespace: string, name: string) => void;

/**
 * Informers on the autoscalers of the watched namespaces, one per kind and
 * scope, each started when the first Rollout names its kind in
 * spec.autoscalerRef: a controller whose Rollouts have none holds no
 * autoscaler and opens no watch. One informer per namespace rather than a
 * watch per referenced object (as for configs): a Rollout with an
 * autoscaler needs two objects (the user's and the copy), and a watch each
 * would cost two connections per Rollout. A ScaledObject informer starts
 * only once the API server serves KEDA's API.
 *
 * Only spec and metadata changes (a new generation, or a deletion) are
 * passed on: an HPA writes its status every time its metrics move, and that
 * is no reason to tick.
 */
export class AutoscalerWatches {
  private readonly informers = new Map<AutoscalerKind, ResilientInformer<KubernetesObject>[]>();
  private readonly checking = new Set<AutoscalerKind>();
  private readonly apis: ReturnType<typeof autoscalerApis>;
  private stopped = false;

  constructor(
    private readonly clients: KubeClients,
    private readonly scopes: readonly (string | undefined)[],
    private readonly serves: Serves,
    private readonly onChange: AutoscalerChange,
    private readonly log: Logger,
  ) {
    this.apis = autoscalerApis(clients);
  }

  /** A Rollout names `kind`: its informers start (once; for a CRD, once it is served). */
  use(kind: AutoscalerKind): void {
    if (this.stopped || this.informers.has(kind) || this.checking.has(kind)) return;
    const api = this.apis[kind];
    if (!api.crd) {
      this.start(kind);
      return;
    }
    this.checking.add(kind);
    this.serves(api.group, api.version).then(
      (served) => {
        this.checking.delete(kind);
        if (served) this.start(kind);
      },
      (err: unknown) => {
        this.checking.delete(kind);
        this.log.warn({ err, kind }, 'could not ask whether the API server serves an autoscaler kind: reading them on each tick instead');
      },
    );
  }

  /** The informer's copy; undefined when it holds none or has not listed yet (then the API server is asked). */
  get(kind: AutoscalerKind, namespace: string, name: string): AutoscalerObject | undefined {
    for (const informer of this.informers.get(kind) ?? []) {
      const found = informer.synced() ? informer.get(name, namespace) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.informers.values()].flat().map((i) => i.stop()));
  }

  private start(kind: AutoscalerKind): void {
    if (this.stopped || this.informers.has(kind)) return;
    const generations = new Map<string, number>();
    const key = (o: KubernetesObject): string => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    const tell = (o: KubernetesObject): void => this.onChange(kind, o.metadata?.namespace ?? '', o.metadata?.name ?? '');
    const changed = (o: KubernetesObject): void => {
      const generation = o.metadata?.generation ?? 0;
      if (generations.get(key(o)) === generation) return;
      generations.set(key(o), generation);
      tell(o);
    };
    const handlers = {
      add: changed,
      update: changed,
      delete: (o: KubernetesObject): void => {
        generations.delete(key(o));
        tell(o);
      },
    };
    const informers = this.scopes.map((ns) => new ResilientInformer(this.clients, this.apis[kind].collection(ns), handlers, this.log));
    this.informers.set(kind, informers);
    for (const informer of informers) {
      informer.start().catch((err: unknown) => this.log.warn({ err, kind }, 'could not list autoscalers: reading them on each tick instead'));
    }
  }
}
