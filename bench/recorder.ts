import { GROUP, ROLLOUTS, VERSION } from '../src/api/names.js';
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';
import type { Rollout } from '../src/api/types.gen.js';

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
 * instead of listing 1,000 Rollouts a second.
 */
export class RolloutRecorder {
  private readonly seen = new Map<string, Seen>();
  private abort: AbortController | undefined;
  private stopped = false;
  private resourceVersion = '';

  constructor(private readonly kc: KubeConfig, private readonly namespace: string) {}

  async start(): Promise<void> {
    const list = (await this.kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS, namespace: this.namespace })) as {
      items: Rollout[];
      metadata?: { resourceVersion?: string };
    };
    for (const r of list.items) this.observe(r);
    this.resourceVersion = list.metadata?.resourceVersion ?? '';
    await this.open();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
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

  private async open(): Promise<void> {
    if (this.stopped) return;
    this.abort = await new Watch(this.kc).watch(
      `/apis/flowshift.io/v1alpha1/namespaces/${this.namespace}/rollouts`,
      { resourceVersion: this.resourceVersion, allowWatchBookmarks: true },
      (type: string, obj: Rollout) => {
        if (obj.metadata.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.observe(obj);
      },
      (err: unknown) => {
        if (this.stopped) return;
        // 410 Gone: the resourceVersion is too old to resume from; a fresh start re-lists.
        const gone = String(err).includes('410');
        setTimeout(() => void (gone ? this.start() : this.open()).catch(() => this.retry()), 200);
      },
    );
  }

  private retry(): void {
    if (!this.stopped) setTimeout(() => void this.open().catch(() => this.retry()), 1000);
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
