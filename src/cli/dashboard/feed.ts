import type { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { GROUP, ROLLOUTS, VERSION } from '../../api/names.js';
import type { Rollout } from '../../api/types.gen.js';
import type { KubeClients } from '../../kube/client.js';
import { customObjects, events } from '../../kube/collections.js';
import { ResilientInformer } from '../../kube/informer.js';
import { statusCode } from '../../kube/errors.js';
import { describeFailure } from '../errors.js';
import { keyOf } from './row.js';
import type { Observation } from './timeline.js';

/** Whether the API server answers the dashboard's watch, and since when. */
export interface Connection {
  readonly connected: boolean;
  /** The API server's words (or the network error) when it does not answer. */
  readonly message: string | null;
  readonly since: string;
}

export type FeedChange =
  | { readonly kind: 'rollout'; readonly rollout: Rollout }
  | { readonly kind: 'deleted'; readonly key: string }
  | { readonly kind: 'events'; readonly key: string }
  | { readonly kind: 'connection'; readonly connection: Connection };

/** Phases and weights remembered per Rollout for its timeline: enough for a long release, bounded. */
const OBSERVATIONS_KEPT = 200;

/**
 * The one watch of Rollouts a dashboard makes, whatever the number of
 * browsers: ResilientInformer (which resumes after an API server restart
 * and lists again after a 410) with the user's credentials, fanned out to
 * every listener. It also remembers each phase and weight it saw change,
 * which no object records.
 */
export class RolloutFeed {
  private readonly informer: ResilientInformer<KubernetesObject>;
  /** Rollouts' Events, only to tell a Rollout's page that its Events changed (the page reads them with the user's credentials). */
  private readonly events: ResilientInformer<CoreV1Event>;
  private readonly listeners = new Set<(change: FeedChange) => void>();
  private readonly observed = new Map<string, Observation[]>();
  private state: Connection = { connected: false, message: 'connecting to the API server', since: new Date().toISOString() };

  constructor(clients: KubeClients, namespace: string | undefined, log: Logger) {
    const collection = customObjects(clients, { group: GROUP, version: VERSION, plural: ROLLOUTS }, namespace);
    const changed = (obj: KubernetesObject): void => this.changed(asRollout(obj));
    this.informer = new ResilientInformer(clients, collection, { add: changed, update: changed, delete: (obj) => this.deleted(asRollout(obj)) }, log, {
      onConnection: (connected, err) => this.connection(connected, err),
    });
    // Without the right to watch Events the pages still show them when their Rollout changes: this watch retries quietly, and the banner stays about Rollouts.
    const touched = (e: CoreV1Event): void => this.emit({ kind: 'events', key: `${e.involvedObject.namespace ?? ''}/${e.involvedObject.name ?? ''}` });
    this.events = new ResilientInformer(clients, events(clients, namespace), { add: touched, update: touched }, log, {
      fieldSelector: 'involvedObject.kind=Rollout',
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.informer.start(), this.events.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.informer.stop(), this.events.stop()]);
  }

  rollouts(): Rollout[] {
    return this.informer.list().map(asRollout);
  }

  rollout(namespace: string, name: string): Rollout | undefined {
    const obj = this.informer.get(name, namespace);
    return obj && asRollout(obj);
  }

  observations(key: string): readonly Observation[] {
    return this.observed.get(key) ?? [];
  }

  connectionState(): Connection {
    return this.state;
  }

  /** Calls `listener` on every change until the returned function is called. */
  listen(listener: (change: FeedChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(rollout: Rollout): void {
    this.observe(rollout);
    this.emit({ kind: 'rollout', rollout });
  }

  private deleted(rollout: Rollout): void {
    const key = keyOf(rollout);
    this.observed.delete(key);
    this.emit({ kind: 'deleted', key });
  }

  private observe(rollout: Rollout): void {
    const key = keyOf(rollout);
    const seen = this.observed.get(key) ?? [];
    const last = seen.at(-1);
    const now: Observation = { time: new Date().toISOString(), phase: rollout.status?.phase ?? null, weight: rollout.status?.canaryWeight ?? 0 };
    if (last?.phase === now.phase && last.weight === now.weight) return;
    this.observed.set(key, [...seen, now].slice(-OBSERVATIONS_KEPT));
  }

  private connection(connected: boolean, err: unknown): void {
    const message = connected ? null : problemOf(err);
    if (this.state.connected === connected && this.state.message === message) return;
    this.state = { connected, message, since: new Date().toISOString() };
    this.emit({ kind: 'connection', connection: this.state });
  }

  private emit(change: FeedChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

/** The watch's objects are the API server's JSON of Rollouts (the collection is the Rollouts'). */
function asRollout(obj: KubernetesObject): Rollout {
  return obj as unknown as Rollout;
}

/** Unreachable, or reachable and refusing (RBAC: the user may list but not watch, say): the banner says which. */
function problemOf(err: unknown): string {
  const code = statusCode(err);
  return code === undefined ? `cannot reach the API server: ${describeFailure(err)}` : `the API server refuses to list or watch Rollouts (${code}): ${describeFailure(err)}`;
}
