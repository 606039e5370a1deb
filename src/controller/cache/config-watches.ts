import type { KubernetesObject, V1ConfigMap, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { KubeClients } from '../../kube/client.js';
import type { ConfigRefs } from '../../workload/revision.js';
import { configMaps, secrets } from '../../kube/collections.js';
import { ResilientInformer, type Collection } from '../../kube/informer.js';

type Kind = 'configmap' | 'secret';

interface Watched {
  readonly informer: ResilientInformer<KubernetesObject>;
  /** Rollouts (by uid) whose target references the object. */
  readonly users: Set<string>;
  synced: boolean;
}

/**
 * Watches exactly the ConfigMaps and Secrets that targets reference, one
 * object each (a field selector on its name), so no other Secret's data is
 * ever held in memory. A change of a watched object ticks the Rollouts that
 * use it: config changes are released like image changes.
 */
export class ConfigWatches {
  private readonly watched = new Map<string, Watched>();
  private readonly used = new Map<string, readonly string[]>();

  constructor(
    private readonly clients: KubeClients,
    private readonly onChange: (rolloutUids: readonly string[]) => void,
    private readonly log: Logger,
  ) {}

  /** Declares what one Rollout's target references now; watches start and stop to match. */
  use(rolloutUid: string, namespace: string, refs: ConfigRefs): void {
    const keys = [...refs.configMaps.map((n) => key('configmap', namespace, n)), ...refs.secrets.map((n) => key('secret', namespace, n))];
    const before = this.used.get(rolloutUid) ?? [];
    if (before.join('\n') === keys.join('\n')) return;
    this.used.set(rolloutUid, keys);
    for (const k of before) if (!keys.includes(k)) this.release(k, rolloutUid);
    for (const k of keys) this.acquire(k, rolloutUid);
  }

  forget(rolloutUid: string): void {
    for (const k of this.used.get(rolloutUid) ?? []) this.release(k, rolloutUid);
    this.used.delete(rolloutUid);
  }

  configMap(namespace: string, name: string): V1ConfigMap | undefined {
    return this.cached(key('configmap', namespace, name), name, namespace);
  }

  secret(namespace: string, name: string): V1Secret | undefined {
    return this.cached(key('secret', namespace, name), name, namespace);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.watched.values()].map((w) => w.informer.stop()));
    this.watched.clear();
  }

  /** Only a listed watch answers: before that a missing object might just not be listed yet. */
  private cached(k: string, name: string, namespace: string): KubernetesObject | undefined {
    const w = this.watched.get(k);
    return w?.synced && w.informer.synced() ? w.informer.get(name, namespace) : undefined;
  }

  private acquire(k: string, uid: string): void {
    const existing = this.watched.get(k);
    if (existing) {
      existing.users.add(uid);
      return;
    }
    const [kind, namespace, name] = k.split('/') as [Kind, string, string];
    const changed = (): void => {
      const w = this.watched.get(k);
      if (w?.synced) this.onChange([...w.users]);
    };
    const collection: Collection<KubernetesObject> = kind === 'configmap' ? configMaps(this.clients, namespace) : secrets(this.clients, namespace);
    const informer = new ResilientInformer(this.clients, collection, { add: changed, update: changed, delete: changed }, this.log, {
      fieldSelector: `metadata.name=${name}`,
    });
    const entry: Watched = { informer, users: new Set([uid]), synced: false };
    this.watched.set(k, entry);
    informer.start().then(
      () => {
        entry.synced = true;
      },
      (err: unknown) => this.log.warn({ err, object: k }, 'could not watch a referenced config: reading it on each tick instead'),
    );
  }

  private release(k: string, uid: string): void {
    const w = this.watched.get(k);
    if (!w) return;
    w.users.delete(uid);
    if (w.users.size) return;
    this.watched.delete(k);
    w.informer.stop().catch(() => undefined);
  }
}

function key(kind: Kind, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}
