import {
  makeInformer,
  type Informer,
  type KubernetesListObject,
  type KubernetesObject,
  type ObjectCache,
  type KubeConfig,
  type V1Deployment,
  type V1DeploymentCondition,
  type V1DeploymentStatus,
} from '@kubernetes/client-node';
import { KubeClients } from '../../src/kube/client.js';
import { daemonSetKind } from './daemonsets.js';
import { StatefulSetStandIn } from './statefulset-controller.js';

/**
 * Annotations a test sets on a Deployment or DaemonSet to steer the stand-in:
 * `unready: "true"` keeps its pods unready (for progress-deadline tests),
 * `ready-after-ms` overrides the delay before pods count as ready.
 */
export const KubeletAnnotation = {
  Unready: 'kubelet.test.flowshift.io/unready',
  ReadyAfterMs: 'kubelet.test.flowshift.io/ready-after-ms',
} as const;
const RETRY_MS = 250;
const RESYNC_MS = 500;

export interface KubeletOptions {
  /** Delay between a change and its pods becoming ready (for a DaemonSet: per node it rolls onto). */
  readonly readyAfterMs?: number;
}

/** Since when an object's current generation has been rolling out, and what ran before it. */
export interface Since {
  readonly generation: number;
  readonly at: number;
  /** For DaemonSets: the nodes running a pod of the previous generation, replaced one by one. */
  readonly before: number;
}

/** Where the stand-in is in converging one object: the status to write, and when to look again (undefined: never). */
export interface Converging<S> {
  readonly status: S;
  readonly nextAt: number | undefined;
}

/** What the stand-in does for one kind: the controller's job (status as a cluster converges to it) and how to write it. */
export interface StandInKind<T extends KubernetesObject, S> {
  readonly path: string;
  list(clients: KubeClients): Promise<KubernetesListObject<T>>;
  /** The pods that ran before this generation (a DaemonSet's, to roll them one node at a time). */
  before(obj: T): number;
  converge(obj: T, since: Since, pods: { readonly readyAfterMs: number; readonly unready: boolean }, now: number): Converging<S>;
  same(current: S | undefined, desired: S): boolean;
  current(obj: T): S | undefined;
  writeStatus(clients: KubeClients, name: string, namespace: string, status: S): Promise<unknown>;
}

/**
 * A kubelet and workload-controller stand-in: no pods run in the test
 * cluster, so this writes the status a real cluster would (observedGeneration,
 * replica or node counts, a Deployment's Available/Progressing conditions)
 * as the pods would get ready, for Deployments and DaemonSets; for
 * StatefulSets it also makes their pods (statefulset-controller.ts).
 */
export class KubeletStandIn {
  private readonly clients: KubeClients;
  private readonly kinds: readonly { start(): Promise<void>; stop(): Promise<void> }[];

  constructor(kubeConfig: KubeConfig, options: KubeletOptions = {}) {
    // The controller's client: one keep-alive connection pool instead of a TLS handshake per write.
    this.clients = new KubeClients(kubeConfig);
    this.kinds = [
      new StatusWriter(kubeConfig, this.clients, deploymentKind, options),
      new StatusWriter(kubeConfig, this.clients, daemonSetKind, options),
      new StatefulSetStandIn(kubeConfig, this.clients, { readyAfterMs: (sts) => readyDelay(sts, options), unready }),
    ];
  }

  async start(): Promise<void> {
    await Promise.all(this.kinds.map((k) => k.start()));
  }

  async stop(): Promise<void> {
    await Promise.all(this.kinds.map((k) => k.stop()));
    await this.clients.close();
  }
}

/** The stand-in for one kind: an informer, a timer per object until it converges, and a resync as a safety net. */
class StatusWriter<T extends KubernetesObject, S> {
  private readonly informer: Informer<T> & ObjectCache<T>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly since = new Map<string, Since>();
  private stopped = false;
  private resync: NodeJS.Timeout | undefined;
  /** Writes in flight, so the resync does not send the same status twice at once. */
  private readonly writing = new Set<string>();

  constructor(
    kubeConfig: KubeConfig,
    private readonly clients: KubeClients,
    private readonly kind: StandInKind<T, S>,
    private readonly options: KubeletOptions,
  ) {
    this.informer = makeInformer(kubeConfig, kind.path, () => kind.list(clients));
    const onChange = (o: T): void => {
      this.observe(o);
    };
    this.informer.on('add', onChange);
    this.informer.on('update', onChange);
    this.informer.on('delete', (o) => {
      this.forget(keyOf(o));
    });
    this.informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      process.stderr.write(`[kubelet stand-in] watch of ${kind.path} failed, restarting: ${String(err)}\n`);
      this.restartSoon();
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    // A safety net for lost events and timers: converge every cached
    // object twice a second (observe() writes only what differs).
    this.resync = setInterval(() => {
      for (const o of this.informer.list()) this.observe(o);
    }, RESYNC_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.informer.stop();
  }

  private restartSoon(): void {
    if (this.stopped) return;
    setTimeout(() => {
      this.informer.start().catch(() => {
        this.restartSoon();
      });
    }, RETRY_MS);
  }

  private forget(key: string): void {
    clearTimeout(this.timers.get(key));
    this.timers.delete(key);
    this.since.delete(key);
  }

  private observe(o: T): void {
    const key = keyOf(o);
    const generation = o.metadata?.generation ?? 0;
    const seen = this.since.get(key);
    const since = seen?.generation === generation ? seen : { generation, at: Date.now(), before: this.kind.before(o) };
    this.since.set(key, since);
    const { status, nextAt } = this.kind.converge(o, since, { readyAfterMs: readyDelay(o, this.options), unready: unready(o) }, Date.now());
    this.write(o, status);
    // Come back when the next pods turn ready, or, for pods kept unready,
    // when a Deployment's progress deadline passes (a real cluster then marks it stalled).
    const wait = nextAt === undefined ? -1 : nextAt - Date.now();
    clearTimeout(this.timers.get(key));
    if (wait > 0 && wait < 2 ** 31) {
      this.timers.set(key, setTimeout(() => {
        this.timers.delete(key);
        const latest = this.informer.get(o.metadata?.name ?? '', o.metadata?.namespace);
        if (latest) this.observe(latest);
      }, wait));
    }
  }

  private write(o: T, desired: S): void {
    const key = keyOf(o);
    if (this.kind.same(this.kind.current(o), desired) || this.writing.has(key)) return;
    const { name = '', namespace = '' } = o.metadata ?? {};
    this.writing.add(key);
    this.kind
      .writeStatus(this.clients, name, namespace, desired)
      .finally(() => this.writing.delete(key))
      .catch(() => {
        // A busy API server (429, timeout): no informer event may follow, so retry from the cache.
        if (this.stopped) return;
        setTimeout(() => {
          const latest = this.informer.get(name, namespace);
          if (latest && !this.stopped) this.observe(latest);
        }, RETRY_MS);
      });
  }
}

/** The delay before an object's pods count as ready: its annotation, or the stand-in's default. */
function readyDelay(o: KubernetesObject, options: KubeletOptions): number {
  const raw = o.metadata?.annotations?.[KubeletAnnotation.ReadyAfterMs];
  const parsed = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(parsed) ? parsed : (options.readyAfterMs ?? 200);
}

function unready(o: KubernetesObject): boolean {
  return o.metadata?.annotations?.[KubeletAnnotation.Unready] === 'true';
}

function keyOf(o: KubernetesObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

/** Deployments: every replica ready after the delay, or never (unready), then stalled at the progress deadline. */
const deploymentKind: StandInKind<V1Deployment, V1DeploymentStatus> = {
  path: '/apis/apps/v1/deployments',
  list: (clients) => clients.apps.listDeploymentForAllNamespaces(),
  before: () => 0,
  converge: (d, since, pods, now) => {
    const readyAt = since.at + pods.readyAfterMs;
    const deadlineAt = since.at + (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    return {
      status: deploymentStatus(d, now >= readyAt && !pods.unready, since.at, now),
      nextAt: pods.unready ? deadlineAt + 1 : readyAt,
    };
  },
  same: (current, desired) => sameStatus(current, desired),
  current: (d) => d.status,
  writeStatus: (clients, name, namespace, status) => clients.apps.patchNamespacedDeploymentStatus({ name, namespace, body: { status } }),
};

/** The status a real cluster converges to; exported for unit tests. */
export function deploymentStatus(d: V1Deployment, ready: boolean, since: number, now = Date.now()): V1DeploymentStatus {
  const replicas = d.spec?.replicas ?? 1;
  const available = ready || replicas === 0 ? replicas : 0;
  const deadlineSeconds = d.spec?.progressDeadlineSeconds ?? 600;
  const stalled = available < replicas && now - since > deadlineSeconds * 1000;
  const status: V1DeploymentStatus = {
    observedGeneration: d.metadata?.generation ?? 0,
    replicas,
    updatedReplicas: replicas,
    readyReplicas: available,
    availableReplicas: available,
    conditions: deploymentConditions(d.metadata?.name ?? '', available >= replicas, stalled, new Date(since)),
  };
  if (replicas - available > 0) status.unavailableReplicas = replicas - available;
  return status;
}

function deploymentConditions(name: string, available: boolean, stalled: boolean, time: Date): V1DeploymentCondition[] {
  const condition = (type: string, ok: boolean, reason: string, message: string): V1DeploymentCondition => ({
    type, status: ok ? 'True' : 'False', reason, message, lastUpdateTime: time, lastTransitionTime: time,
  });
  return [
    available
      ? condition('Available', true, 'MinimumReplicasAvailable', 'Deployment has minimum availability.')
      : condition('Available', false, 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.'),
    stalled
      ? condition('Progressing', false, 'ProgressDeadlineExceeded', `ReplicaSet of "${name}" has timed out progressing.`)
      : condition('Progressing', true, available ? 'NewReplicaSetAvailable' : 'ReplicaSetUpdated', 'ReplicaSet is progressing.'),
  ];
}

function sameStatus(current: V1DeploymentStatus | undefined, desired: V1DeploymentStatus): boolean {
  if (!current) return false;
  const counts = ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas'] as const;
  if (counts.some((k) => (current[k] ?? 0) !== (desired[k] ?? 0))) return false;
  const byType = (list: V1DeploymentCondition[] | undefined, type: string): string =>
    JSON.stringify(list?.filter((c) => c.type === type).map((c) => [c.status, c.reason]) ?? []);
  return ['Available', 'Progressing'].every((t) => byType(current.conditions, t) === byType(desired.conditions, t));
}
