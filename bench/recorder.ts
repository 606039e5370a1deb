import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { pino } from 'pino';
import { GROUP, ROLLOUTS, VERSION } from '../src/api/names.js';
import type { Rollout } from '../src/api/types.gen.js';
import { KubeClients } from '../src/kube/client.js';
import { customObjects } from '../src/kube/collections.js';
import { ResilientInformer } from '../src/kube/informer.js';

interface Seen {
  phase: string;
  lastTransitionTime: string;
  weights: number[];
  /** lastTransitionTime when the current release was started; a later one in a terminal phase ends it. */
  since: string | undefined;
  /** When the watch delivered the end of the current release (ms since the epoch). */
  endedAt: number | undefined;
}

const TERMINAL = new Set(['Succeeded', 'Failed']);

/**
 * Follows every Rollout of a namespace through a watch (no intermediate
 * status is missed, unlike polling): its phase, and every canary weight it
 * went through since the last markRelease(). The benchmark waits on it
 * instead of listing 1,000 Rollouts a second. The watch is the controller's
 * own informer: at 10,000 Rollouts a watch resumed from an old version is
 * answered 410 Gone, which a plain Watch would retry forever.
 */
export class RolloutRecorder {
  private readonly seen = new Map<string, Seen>();
  private readonly clients: KubeClients;
  private readonly informer: ResilientInformer<KubernetesObject>;

  constructor(kc: KubeConfig, namespace: string) {
    this.clients = new KubeClients(kc);
    // Custom objects come untyped from client-node: a Rollout as the API server wrote it.
    const observe = (obj: KubernetesObject): void => {
      this.observe(obj as unknown as Rollout);
    };
    const collection = customObjects(this.clients, { group: GROUP, version: VERSION, plural: ROLLOUTS }, namespace);
    this.informer = new ResilientInformer(this.clients, collection, { add: observe, update: observe }, pino({ level: 'warn' }, pino.destination(2)));
  }

  async start(): Promise<void> {
    await this.informer.start();
    if (!this.informer.synced()) throw new Error('the Rollouts could not be listed');
  }

  stop(): void {
    void this.informer.stop().then(() => this.clients.close());
  }

  /** Starts a release: weights are recorded afresh, and a Rollout is done once it reaches a terminal phase again. */
  markRelease(): void {
    for (const s of this.seen.values()) {
      s.weights = [];
      s.since = s.lastTransitionTime;
      s.endedAt = undefined;
    }
  }

  count(predicate: (phase: string) => boolean): number {
    let n = 0;
    for (const s of this.seen.values()) if (predicate(s.phase)) n++;
    return n;
  }

  /** How many Rollouts are in each phase, e.g. "Initializing 640, (no status) 360". */
  phases(): string {
    const counts = new Map<string, number>();
    for (const s of this.seen.values()) counts.set(s.phase || '(no status)', (counts.get(s.phase || '(no status)') ?? 0) + 1);
    return [...counts].map(([phase, n]) => `${phase} ${n}`).join(', ');
  }

  /** Rollouts whose release (since markRelease) ended in Succeeded or Failed. */
  finished(): number {
    let n = 0;
    for (const s of this.seen.values()) if (TERMINAL.has(s.phase) && s.lastTransitionTime !== s.since) n++;
    return n;
  }

  records(): { name: string; weights: number[]; phase: string; endedAt: number | undefined }[] {
    return [...this.seen].map(([name, s]) => ({ name, weights: s.weights, phase: s.phase, endedAt: s.endedAt }));
  }

  private observe(r: Rollout): void {
    const name = r.metadata.name ?? '';
    const s = this.seen.get(name) ?? { phase: '', lastTransitionTime: '', weights: [], since: undefined, endedAt: undefined };
    s.phase = r.status?.phase ?? '';
    s.lastTransitionTime = r.status?.lastTransitionTime ?? '';
    if (s.endedAt === undefined && s.since !== undefined && TERMINAL.has(s.phase) && s.lastTransitionTime !== s.since) s.endedAt = Date.now();
    const weight = r.status?.canaryWeight ?? 0;
    if (s.weights.at(-1) !== weight) s.weights.push(weight);
    this.seen.set(name, s);
  }
}
