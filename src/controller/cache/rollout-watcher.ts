import type { KubernetesObject, V1DaemonSet, V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { controlledByRollout } from '../../kube/ownership.js';
import type { Logger } from 'pino';
import type { Rollout, TargetKind } from '../../api/types.gen.js';
import type { ClusterCache } from '../../kube/cache.js';
import type { KubeClients } from '../../kube/client.js';
import { GROUP, ROLLOUTS, VERSION } from '../../api/names.js';
import { configRefs } from '../../workload/revision.js';
import { customObjects, daemonSets, deployments, statefulSets } from '../../kube/collections.js';
import type { Workload } from '../../workload/workload.js';
import { ConfigWatches } from './config-watches.js';
import { AutoscalerWatches } from './autoscaler-watches.js';
import { ServedApis } from '../../kube/served-apis.js';
import { primaryName } from '../../api/names.js';
import type { AutoscalerKind } from '../../api/types.gen.js';
import { controlsKey } from '../tick/control-annotations.js';
import { ResilientInformer, type Handlers } from '../../kube/informer.js';
import { RolloutIndex } from './rollout-index.js';

/** What the watcher asks of the scheduler. */
export interface WatchSink {
  /** A change that should be acted on now. */
  tickNow(rollout: Rollout): void;
  /** A Rollout seen (at start or on resync): make sure it has a tick chain. */
  ensureChain(rollout: Rollout): void;
  /** The cache holds a new version of a Rollout (any change, status writes included). */
  cached(rollout: Rollout): void;
  /** A Rollout is gone: its chain may stop. */
  forget(rollout: Rollout): void;
}

/**
 * Informers on Rollouts and on the kinds of targets (Deployments,
 * DaemonSets, StatefulSets) per watched namespace (or cluster-wide), watches on exactly
 * the ConfigMaps/Secrets the targets reference, and on autoscalers once a
 * Rollout names one. Every change that can move a release becomes an immediate tick
 * of the Rollouts it concerns.
 */
export class RolloutWatcher {
  private readonly rollouts: ResilientInformer<KubernetesObject>[] = [];
  private readonly deployments: ResilientInformer<V1Deployment>[] = [];
  private readonly daemonSets: ResilientInformer<V1DaemonSet>[] = [];
  private readonly statefulSets: ResilientInformer<V1StatefulSet>[] = [];
  private readonly configs: ConfigWatches;
  private readonly autoscalers: AutoscalerWatches;
  private readonly index = new RolloutIndex(() => this.allRollouts(), (namespace, name) => this.cachedRollout(namespace, name));

  constructor(clients: KubeClients, namespaces: readonly string[], private readonly sink: WatchSink, log: Logger) {
    this.configs = new ConfigWatches(clients, (uids) => this.onConfigChange(uids), log);
    const scopes = namespaces.length ? namespaces : [undefined];
    const apis = new ServedApis(clients);
    this.autoscalers = new AutoscalerWatches(clients, scopes, (group, version) => apis.serves(group, version), (kind, namespace, name) => this.onAutoscalerChange(kind, namespace, name), log);
    for (const ns of scopes) {
      this.rollouts.push(new ResilientInformer(clients, customObjects(clients, { group: GROUP, version: VERSION, plural: ROLLOUTS }, ns), this.rolloutHandlers(), log));
      this.deployments.push(new ResilientInformer(clients, deployments(clients, ns), this.workloadHandlers(), log, { keep: withoutPrimaryTemplate }));
      this.daemonSets.push(new ResilientInformer(clients, daemonSets(clients, ns), this.workloadHandlers(), log, { keep: withoutPrimaryTemplate }));
      // A StatefulSet is never cloned: there is no primary template to leave out.
      this.statefulSets.push(new ResilientInformer(clients, statefulSets(clients, ns), this.workloadHandlers(), log));
    }
  }

  async start(): Promise<void> {
    // Targets first, so the first Rollout events can find them.
    await Promise.all([...this.deployments, ...this.daemonSets, ...this.statefulSets].map((i) => i.start()));
    await Promise.all(this.rollouts.map((i) => i.start()));
  }

  async stop(): Promise<void> {
    await Promise.all([...this.rollouts, ...this.deployments, ...this.daemonSets, ...this.statefulSets].map((i) => i.stop()));
    await Promise.all([this.configs.stop(), this.autoscalers.stop()]);
  }

  /** Every Rollout in the cache: the periodic resync re-enqueues them all. */
  allRollouts(): Rollout[] {
    return this.rollouts.flatMap((i) => i.list().map(asRollout));
  }

  /** The cached Rollout, to notice spec changes made while a tick ran. */
  cachedRollout(namespace: string, name: string): Rollout | undefined {
    for (const i of this.rollouts) {
      const r = i.get(name, namespace);
      if (r) return asRollout(r);
    }
    return undefined;
  }

  /** The cached Rollout with this uid (a route's controller owner). */
  rolloutByUid(uid: string): Rollout | undefined {
    return this.index.byUid(uid);
  }

  /** The cached Rollouts of the same namespace claiming the same Deployment or service name as `rollout`. */
  rivals(rollout: Rollout): Rollout[] {
    return this.index.rivals(rollout);
  }

  /** The informers' objects, for reads that need not hit the API server. */
  cache(): ClusterCache {
    return {
      deployment: (namespace, name) => findIn(this.deployments, namespace, name),
      daemonSet: (namespace, name) => findIn(this.daemonSets, namespace, name),
      statefulSet: (namespace, name) => findIn(this.statefulSets, namespace, name),
      configMap: (namespace, name) => this.configs.configMap(namespace, name),
      secret: (namespace, name) => this.configs.secret(namespace, name),
      autoscaler: (kind, namespace, name) => this.autoscalers.get(kind, namespace, name),
    };
  }

  /** The Rollout's target as cached. */
  cachedTarget(rollout: Rollout): Workload | undefined {
    return this.cachedWorkload(rollout.spec.targetRef.kind, rollout.metadata.namespace ?? '', rollout.spec.targetRef.name);
  }

  /** The cached target of `kind`. */
  cachedWorkload(kind: TargetKind, namespace: string, name: string): Workload | undefined {
    switch (kind) {
      case 'Deployment':
        return findIn(this.deployments, namespace, name);
      case 'DaemonSet':
        return findIn(this.daemonSets, namespace, name);
      case 'StatefulSet':
        return findIn(this.statefulSets, namespace, name);
    }
  }

  private rolloutHandlers(): Handlers<KubernetesObject> {
    // Per UID: the generation and the control annotations last seen.
    const seen = new Map<string, string>();
    const key = (r: Rollout): string => `${r.metadata.generation ?? 0} ${controlsKey(r)}`;
    return {
      add: (obj) => {
        const r = asRollout(obj);
        this.index.invalidate();
        seen.set(r.metadata.uid ?? '', key(r));
        this.trackConfigs(r);
        this.trackAutoscaler(r);
        this.sink.ensureChain(r);
      },
      update: (obj) => {
        const r = asRollout(obj);
        const uid = r.metadata.uid ?? '';
        // Status writes (ours) do not move the generation; spec edits, deletion and approve/abort/retry do.
        if (seen.get(uid) !== key(r) || r.metadata.deletionTimestamp) {
          this.index.invalidate();
          this.sink.tickNow(r);
        }
        this.trackConfigs(r);
        this.trackAutoscaler(r);
        seen.set(uid, key(r));
        this.sink.cached(r);
      },
      delete: (obj) => {
        const r = asRollout(obj);
        this.index.invalidate();
        seen.delete(r.metadata.uid ?? '');
        this.configs.forget(r.metadata.uid ?? '');
        this.sink.forget(r);
      },
    };
  }

  private workloadHandlers<W extends Workload>(): Handlers<W> {
    const onChange = (d: W): void => {
      for (const r of this.rolloutsOfWorkload(d.metadata?.namespace ?? '', d.metadata?.name ?? '')) {
        this.trackConfigs(r);
        this.sink.tickNow(r);
      }
    };
    // An add matters too: a Rollout created before its target starts as soon as the target exists.
    return { add: onChange, update: onChange, delete: onChange };
  }

  private rolloutsOfWorkload(namespace: string, name: string): Rollout[] {
    const primaryOf = name.endsWith('-primary') ? this.index.byTarget(namespace, name.slice(0, -'-primary'.length)) : [];
    return [...this.index.byTarget(namespace, name), ...primaryOf];
  }

  /** Watches what the Rollout's target references, and only that. */
  private trackConfigs(r: Rollout): void {
    const namespace = r.metadata.namespace ?? '';
    const target = this.cachedTarget(r);
    this.configs.use(r.metadata.uid ?? '', namespace, configRefs(target?.spec?.template));
  }

  private trackAutoscaler(r: Rollout): void {
    if (r.spec.autoscalerRef) this.autoscalers.use(r.spec.autoscalerRef.kind);
  }

  /** The user's autoscaler or the primary's copy of it (`<name>-primary`, which someone may have edited) changed. */
  private onAutoscalerChange(kind: AutoscalerKind, namespace: string, name: string): void {
    const copyOf = name.endsWith(primaryName('')) ? this.index.byAutoscaler(namespace, kind, name.slice(0, -primaryName('').length)) : [];
    for (const r of [...this.index.byAutoscaler(namespace, kind, name), ...copyOf]) this.sink.tickNow(r);
  }

  private onConfigChange(uids: readonly string[]): void {
    for (const r of this.allRollouts()) if (uids.includes(r.metadata.uid ?? '')) this.sink.tickNow(r);
  }
}

/**
 * A primary's pod template is never read from the cache (a promotion
 * replaces it whole with the target's; readiness reads its status), so it
 * is not kept: half the workloads the cache holds are primaries, and the
 * template is most of one. Users' Deployments and DaemonSets keep theirs.
 */
function withoutPrimaryTemplate<W extends V1Deployment | V1DaemonSet>(workload: W): W {
  if (!workload.spec || !controlledByRollout(workload.metadata)) return workload;
  const { template: _unread, ...spec } = workload.spec;
  return { ...workload, spec };
}

function findIn<T extends KubernetesObject>(informers: readonly ResilientInformer<T>[], namespace: string, name: string): T | undefined {
  for (const i of informers) {
    const found = i.get(name, namespace);
    if (found) return found;
  }
  return undefined;
}

/**
 * Custom objects arrive as plain JSON (timestamps are strings), which is what
 * the Rollout type says; client-node's KubernetesObject claims Dates.
 */
function asRollout(obj: KubernetesObject): Rollout {
  return obj as unknown as Rollout;
}
