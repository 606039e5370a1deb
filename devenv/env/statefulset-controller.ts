import { makeInformer, type Informer, type KubeConfig, type ObjectCache, type V1Pod, type V1StatefulSet, type V1StatefulSetStatus } from '@kubernetes/client-node';
import type { KubeClients } from '../../src/kube/client.js';
import { statusCode } from './crds.js';
import { podFor, podView, statefulSetStep, type PodView } from './statefulsets.js';

/** How the stand-in times a StatefulSet's pods (from KubeletAnnotation on the StatefulSet, else the stand-in's default). */
export interface PodTiming {
  readonly readyAfterMs: (sts: V1StatefulSet) => number;
  readonly unready: (sts: V1StatefulSet) => boolean;
}

const RESYNC_MS = 500;

/**
 * The StatefulSet controller and kubelet stand-in for StatefulSets: it
 * creates and deletes real Pod objects (labelled controller-revision-hash)
 * one step at a time (statefulsets.ts), marks them Ready as a kubelet would,
 * and writes the status a cluster would. Each StatefulSet is converged by
 * one reconcile at a time, on its events, on its pods' ready times, and
 * twice a second as a safety net (pods are not watched).
 */
export class StatefulSetStandIn {
  private readonly informer: Informer<V1StatefulSet> & ObjectCache<V1StatefulSet>;
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly accounts = new Set<string>();
  private resync: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    kubeConfig: KubeConfig,
    private readonly clients: KubeClients,
    private readonly timing: PodTiming,
  ) {
    this.informer = makeInformer(kubeConfig, '/apis/apps/v1/statefulsets', () => clients.apps.listStatefulSetForAllNamespaces());
    const onChange = (sts: V1StatefulSet): void => {
      this.kick(sts);
    };
    this.informer.on('add', onChange);
    this.informer.on('update', onChange);
    this.informer.on('error', () => {
      if (!this.stopped) setTimeout(() => void this.informer.start().catch(() => undefined), RESYNC_MS);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    this.resync = setInterval(() => {
      for (const sts of this.informer.list()) this.kick(sts);
    }, RESYNC_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.resync);
    await this.informer.stop();
    await Promise.allSettled([...this.running.values()]);
  }

  /** Reconciles now, or once more after the reconcile under way. */
  private kick(sts: V1StatefulSet): void {
    const key = `${sts.metadata?.namespace ?? ''}/${sts.metadata?.name ?? ''}`;
    if (this.stopped) return;
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const run = this.reconcile(sts)
      .catch(() => undefined)
      .finally(() => {
        this.running.delete(key);
        const latest = this.informer.get(sts.metadata?.name ?? '', sts.metadata?.namespace);
        if (this.again.delete(key) && latest) this.kick(latest);
      });
    this.running.set(key, run);
  }

  private async reconcile(sts: V1StatefulSet): Promise<void> {
    const namespace = sts.metadata?.namespace ?? '';
    const pods = await this.readyPods(sts, await this.podsOf(sts));
    const step = statefulSetStep(sts, pods);
    for (const ordinal of step.delete) await this.deletePod(namespace, `${sts.metadata?.name ?? ''}-${ordinal}`);
    if (step.create.length) await this.ensureServiceAccount(namespace);
    const readyAt = this.timing.unready(sts) ? undefined : Date.now() + this.timing.readyAfterMs(sts);
    for (const { ordinal, revision } of step.create) {
      await this.clients.core.createNamespacedPod({ namespace, body: podFor(sts, ordinal, revision, readyAt) }).catch(ignore(409));
    }
    if (!sameStatus(sts.status, step.status)) {
      await this.clients.apps.patchNamespacedStatefulSetStatus({ name: sts.metadata?.name ?? '', namespace, body: { status: step.status } });
    }
  }

  /** The StatefulSet's pods (by its selector and controller reference), each as the plan sees it. */
  private async podsOf(sts: V1StatefulSet): Promise<{ pod: V1Pod; view: PodView }[]> {
    const selector = Object.entries(sts.spec?.selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
    const listed = await this.clients.core.listNamespacedPod({ namespace: sts.metadata?.namespace ?? '', labelSelector: selector });
    const owned = listed.items.filter((p) => (p.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === sts.metadata?.uid));
    return owned.flatMap((pod) => {
      const view = podView(pod);
      return view ? [{ pod, view }] : [];
    });
  }

  /** The kubelet's part: pods whose time has come turn Ready (their status says so, as a kubelet writes it). */
  private async readyPods(sts: V1StatefulSet, pods: readonly { pod: V1Pod; view: PodView }[]): Promise<PodView[]> {
    const now = Date.now();
    const unready = this.timing.unready(sts);
    return Promise.all(
      pods.map(async ({ pod, view }) => {
        if (view.ready || unready || view.readyAt === undefined || view.readyAt > now) return view;
        const status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date() }] };
        await this.clients.core.patchNamespacedPodStatus({ name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', body: { status } });
        return { ...view, ready: true };
      }),
    );
  }

  private async deletePod(namespace: string, name: string): Promise<void> {
    await this.clients.core.deleteNamespacedPod({ name, namespace }).catch(ignore(404));
  }

  /** The ServiceAccount admission plugin needs the namespace's "default" account, which no controller-manager makes here. */
  private async ensureServiceAccount(namespace: string): Promise<void> {
    if (this.accounts.has(namespace)) return;
    await this.clients.core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } }).catch(ignore(409));
    this.accounts.add(namespace);
  }
}

function ignore(code: number): (err: unknown) => void {
  return (err) => {
    if (statusCode(err) !== code) throw err;
  };
}

const COUNTS = ['observedGeneration', 'replicas', 'readyReplicas', 'availableReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision'] as const;

function sameStatus(current: V1StatefulSetStatus | undefined, desired: V1StatefulSetStatus): boolean {
  return current !== undefined && COUNTS.every((k) => (current[k] ?? 0) === (desired[k] ?? 0));
}
