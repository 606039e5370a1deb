import {
  makeInformer,
  type Informer,
  type ObjectCache,
  type KubeConfig,
  type V1Deployment,
  type V1DeploymentCondition,
  type V1DeploymentStatus,
} from '@kubernetes/client-node';
import { KubeClients } from '../../src/kube/client.js';

/**
 * Annotations a test sets on a Deployment to steer the stand-in:
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
  /** Delay between a Deployment change and its pods becoming ready. */
  readonly readyAfterMs?: number;
}

/**
 * A kubelet and deployment-controller stand-in: no pods run in the test
 * cluster, so this writes the status a real cluster would (observedGeneration,
 * replica counts, Available/Progressing conditions) after a delay.
 */
export class KubeletStandIn {
  private readonly clients: KubeClients;
  private readonly informer: Informer<V1Deployment> & ObjectCache<V1Deployment>;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly since = new Map<string, { generation: number; at: number }>();
  private stopped = false;
  private resync: NodeJS.Timeout | undefined;
  /** Writes in flight, so the resync does not send the same status twice at once. */
  private readonly writing = new Set<string>();

  constructor(kubeConfig: KubeConfig, private readonly options: KubeletOptions = {}) {
    // The controller's client: one keep-alive connection pool instead of a TLS handshake per write.
    const clients = (this.clients = new KubeClients(kubeConfig));
    this.informer = makeInformer(kubeConfig, '/apis/apps/v1/deployments', () => clients.apps.listDeploymentForAllNamespaces());
    const onChange = (d: V1Deployment): void => {
      this.observe(d);
    };
    this.informer.on('add', onChange);
    this.informer.on('update', onChange);
    this.informer.on('delete', (d) => {
      this.forget(keyOf(d));
    });
    this.informer.on('error', (err: unknown) => {
      if (this.stopped) return;
      process.stderr.write(`[kubelet stand-in] watch failed, restarting: ${String(err)}\n`);
      this.restartSoon();
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    // A safety net for lost events and timers: converge every cached
    // Deployment twice a second (observe() writes only what differs).
    this.resync = setInterval(() => {
      for (const d of this.informer.list()) this.observe(d);
    }, RESYNC_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    await this.informer.stop();
    await this.clients.close();
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

  private observe(d: V1Deployment): void {
    const key = keyOf(d);
    const generation = d.metadata?.generation ?? 0;
    const seen = this.since.get(key);
    const since = seen?.generation === generation ? seen.at : Date.now();
    this.since.set(key, { generation, at: since });
    const readyAt = since + this.readyDelay(d);
    this.write(d, Date.now() >= readyAt);
    // Come back when the pods turn ready, or, for a Deployment kept unready,
    // when its progress deadline passes (a real cluster then marks it stalled).
    const deadlineAt = since + (d.spec?.progressDeadlineSeconds ?? 600) * 1000;
    const nextAt = this.unready(d) ? deadlineAt + 1 : readyAt;
    const wait = nextAt - Date.now();
    clearTimeout(this.timers.get(key));
    if (wait > 0 && wait < 2 ** 31) {
      this.timers.set(key, setTimeout(() => {
        this.timers.delete(key);
        const latest = this.informer.get(d.metadata?.name ?? '', d.metadata?.namespace);
        if (latest) this.observe(latest);
      }, wait));
    }
  }

  private readyDelay(d: V1Deployment): number {
    const raw = d.metadata?.annotations?.[KubeletAnnotation.ReadyAfterMs];
    const parsed = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(parsed) ? parsed : (this.options.readyAfterMs ?? 200);
  }

  private unready(d: V1Deployment): boolean {
    return d.metadata?.annotations?.[KubeletAnnotation.Unready] === 'true';
  }

  private write(d: V1Deployment, delayElapsed: boolean): void {
    const since = this.since.get(keyOf(d))?.at ?? Date.now();
    const desired = deploymentStatus(d, delayElapsed && !this.unready(d), since);
    const key = keyOf(d);
    if (sameStatus(d.status, desired) || this.writing.has(key)) return;
    const { name = '', namespace = '' } = d.metadata ?? {};
    this.writing.add(key);
    this.clients.apps
      .patchNamespacedDeploymentStatus({ name, namespace, body: { status: desired } })
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

function keyOf(d: V1Deployment): string {
  return `${d.metadata?.namespace ?? ''}/${d.metadata?.name ?? ''}`;
}

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
