import { GROUP, ROLLOUTS, VERSION } from '../src/api/names.js';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Rollout } from '../src/api/types.gen.js';
import { statusCode } from '../devenv/env/crds.js';
import { podinfo } from '../devenv/env/deployments.js';
import type { BenchCluster } from './cluster.js';
import { RolloutRecorder } from './recorder.js';
import { inBatches } from './stats.js';

/** How long a benchmark waits for its Rollouts, at least 30 minutes and 0.36 s a Rollout: 10,000 initialize in 20 to 40 minutes on 2 cores. */
const TIMEOUT_MS = { least: 1_800_000, perRollout: 360 } as const;

export const NAMESPACE = 'bench';
export const STEPS: readonly number[] = [20, 40, 60];

export interface WorkloadOptions {
  readonly rollouts: number;
  readonly interval: string;
  /** Every n-th Rollout gets a check that always fails (0: none), to measure rollbacks. */
  readonly failingEvery: number;
  /** Requests in flight while creating and releasing. */
  readonly batch: number;
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

/** N podinfo Deployments with a Rollout each, and a watch on the Rollouts. */
export class Workload {
  readonly names: string[];
  readonly failing: Set<string>;
  readonly recorder: RolloutRecorder;
  private readonly apps: AppsV1Api;
  /** When release() changed each Deployment's image (ms since the epoch). */
  private readonly releasedAt = new Map<string, number>();

  private constructor(private readonly cluster: BenchCluster, private readonly options: WorkloadOptions) {
    const width = Math.max(3, String(options.rollouts - 1).length);
    this.names = Array.from({ length: options.rollouts }, (_, i) => `app-${String(i).padStart(width, '0')}`);
    const every = options.failingEvery;
    this.failing = new Set(every > 0 ? this.names.filter((_, i) => i % every === every - 1) : []);
    this.recorder = new RolloutRecorder(cluster.kc, NAMESPACE);
    this.apps = cluster.kc.makeApiClient(AppsV1Api);
  }

  /** Creates the namespace, the Deployments and the Rollouts, in batches, saying how far it got. */
  static async create(cluster: BenchCluster, options: WorkloadOptions): Promise<Workload> {
    const w = new Workload(cluster, options);
    await cluster.kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NAMESPACE } } });
    cluster.defer(() => w.recorder.stop());
    await w.recorder.start();
    const custom = cluster.kc.makeApiClient(CustomObjectsApi);
    const t0 = Date.now();
    log(`creating ${options.rollouts} Deployments and Rollouts (${w.failing.size} with a failing check), interval ${options.interval}, ${options.batch} at a time`);
    await inBatches(w.names, options.batch, async (name) => {
      await w.apps.createNamespacedDeployment({ namespace: NAMESPACE, body: podinfo(name, 'podinfo:1') });
      await custom.createNamespacedCustomObject({ group: GROUP, version: VERSION, plural: ROLLOUTS, namespace: NAMESPACE, body: w.rollout(name) });
    }, every(5000, (done) => log(`created ${done}/${options.rollouts} (${seconds(t0)} s)`)));
    log(`created ${options.rollouts} in ${seconds(t0)} s`);
    return w;
  }

  async waitInitialized(): Promise<void> {
    await this.waitProgress('Initialized', () => this.recorder.count((p) => p === 'Initialized'), this.timeoutMs());
  }

  /**
   * Releases `image` on every Deployment at once (in batches); returns the
   * writes that took (PUT attempts, conflicts included: the API server counts them too).
   */
  async release(image: string): Promise<number> {
    this.recorder.markRelease();
    this.releasedAt.clear();
    let writes = 0;
    const t0 = Date.now();
    log(`releasing ${image} on every Deployment at once`);
    await inBatches(this.names, this.options.batch, async (name) => {
      for (let attempt = 1; ; attempt++) {
        const d = await this.apps.readNamespacedDeployment({ name, namespace: NAMESPACE });
        const container = d.spec?.template.spec?.containers[0];
        if (container) container.image = image;
        writes++;
        try {
          await this.apps.replaceNamespacedDeployment({ name, namespace: NAMESPACE, body: d });
          this.releasedAt.set(name, Date.now());
          return;
        } catch (err) {
          if (statusCode(err) !== 409 || attempt >= 10) throw err;
        }
      }
    }, every(5000, (done) => log(`released ${done}/${this.names.length} (${seconds(t0)} s)`)));
    return writes;
  }

  /** Every Rollout's analysis interval, e.g. "10s". */
  get interval(): string {
    return this.options.interval;
  }

  /** Each Rollout's release, from its Deployment's image change to its end as the watch delivered it (s). */
  releaseDurations(): number[] {
    return this.recorder.records().flatMap((r) => {
      const start = this.releasedAt.get(r.name);
      return start !== undefined && r.endedAt !== undefined ? [(r.endedAt - start) / 1000] : [];
    });
  }

  /** The Rollouts' Events recorded since `since` (ms since the epoch), by reason: which transitions the Event writes were. */
  async eventsByReason(since: number): Promise<Map<string, number>> {
    const list = await this.cluster.kc.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NAMESPACE, fieldSelector: 'involvedObject.kind=Rollout' });
    const counts = new Map<string, number>();
    for (const e of list.items) {
      const first = e.firstTimestamp ? new Date(e.firstTimestamp).getTime() : 0;
      const last = e.lastTimestamp ? new Date(e.lastTimestamp).getTime() : first;
      // Second resolution: an Event of the second the release began counts.
      const n = first >= since - 1000 ? (e.count ?? 1) : last >= since - 1000 ? 1 : 0;
      if (n) counts.set(e.reason ?? '', (counts.get(e.reason ?? '') ?? 0) + n);
    }
    return counts;
  }

  async waitReleased(): Promise<void> {
    await this.waitProgress('release finished (Succeeded or Failed)', () => this.recorder.finished(), this.timeoutMs());
  }

  /** Rollouts not in the phase their check leads to. */
  unexpectedEndStates(): string[] {
    return this.recorder.records().filter((r) => r.phase !== (this.failing.has(r.name) ? 'Failed' : 'Succeeded')).map((r) => `${r.name}:${r.phase}`);
  }

  private timeoutMs(): number {
    return Math.max(TIMEOUT_MS.least, this.names.length * TIMEOUT_MS.perRollout);
  }

  /** Waits until count() reaches every Rollout, for at most `timeoutMs`. */
  private async waitProgress(what: string, count: () => number, timeoutMs: number): Promise<void> {
    const total = this.names.length;
    const t0 = Date.now();
    let lastLog = t0;
    for (;;) {
      const n = count();
      if (n >= total) break;
      const dead = this.cluster.controllers.find((c) => !c.process.isRunning());
      if (dead) throw new Error(`${dead.process.name} exited while waiting for ${what}:\n${dead.process.tail()}`);
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}: ${n}/${total}`);
      if (Date.now() - lastLog >= 5000) {
        lastLog = Date.now();
        log(`${what}: ${n}/${total} (${seconds(t0)} s; ${this.recorder.phases()})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`${what}: ${total}/${total} in ${seconds(t0)} s`);
  }

  private rollout(name: string): Rollout {
    return {
      apiVersion: 'flowshift.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name },
      spec: {
        targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
        service: { port: 9898 },
        strategy: { canary: { stepWeights: [...STEPS] } },
        analysis: {
          interval: this.options.interval,
          threshold: 2,
          // A real Prometheus query every check; vector(0) < 1 fails.
          metrics: [{ name: 'bench-check', query: this.failing.has(name) ? 'vector(0)' : 'vector(1)', thresholdRange: { min: 1 } }],
        },
      },
    };
  }
}

function seconds(since: number): string {
  return ((Date.now() - since) / 1000).toFixed(1);
}

/** A progress callback that speaks at most every `ms`. */
function every(ms: number, say: (done: number) => void): (done: number) => void {
  let last = Date.now();
  return (done) => {
    if (Date.now() - last < ms) return;
    last = Date.now();
    say(done);
  };
}
