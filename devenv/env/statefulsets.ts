import { createHash } from 'node:crypto';
import type { AppsV1Api, V1Pod, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import { stableJson } from '../../src/workload/revision.js';
import { replaceWithRetry } from './deployments.js';

/**
 * The StatefulSet controller and the kubelet, as far as a release needs
 * them (the stand-in's other kinds only write status; a StatefulSet's pods
 * are real Pod objects, since flowshift selects them by revision and
 * deletes them on a rollback). Pure: one step of convergence for one
 * StatefulSet, from its spec and its pods; statefulset-controller.ts writes it.
 */

/** The labels the StatefulSet controller sets on each pod. */
export const REVISION_HASH = 'controller-revision-hash';
export const POD_NAME = 'statefulset.kubernetes.io/pod-name';
/** When the stand-in lets a pod turn ready (ms since the epoch); absent: never (kept unready). */
export const READY_AT = 'kubelet.test.flowshift.io/ready-at';

/** A ControllerRevision-like name for a template: `<statefulset>-<hash of the template>`, the same for the same template. */
export function revisionName(sts: V1StatefulSet): string {
  const hash = createHash('sha256').update(stableJson(sts.spec?.template ?? {})).digest('hex').slice(0, 10);
  return `${sts.metadata?.name ?? ''}-${hash}`;
}

/** A pod as the plan sees it. */
export interface PodView {
  readonly ordinal: number;
  readonly revision: string;
  readonly ready: boolean;
  /** When it turns ready, if it is not yet and ever will. */
  readonly readyAt?: number;
}

/** One step of the StatefulSet controller: pods to delete and create, and the status once they are. */
export interface StatefulSetStep {
  readonly delete: readonly number[];
  readonly create: readonly { readonly ordinal: number; readonly revision: string }[];
  readonly status: V1StatefulSetStatus;
}

/** The partition as the controller applies it: OnDelete updates no pod by itself. */
function effectivePartition(sts: V1StatefulSet): number {
  if (sts.spec?.updateStrategy?.type === 'OnDelete') return Number.MAX_SAFE_INTEGER;
  return sts.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
}

/**
 * One step, as the StatefulSet controller takes them (RollingUpdate): pods
 * past spec.replicas go; a missing ordinal is created at the revision its
 * ordinal should run (the update revision at or above the partition, the
 * current one below); then, once every pod is ready, the highest ordinal at
 * or above the partition that does not run the update revision is deleted,
 * one at a time, to come back at it. Pods below the partition keep whatever
 * revision they run. currentRevision takes the update revision once every
 * pod runs it and is ready.
 */
export function statefulSetStep(sts: V1StatefulSet, pods: readonly PodView[]): StatefulSetStep {
  const replicas = sts.spec?.replicas ?? 1;
  const update = revisionName(sts);
  const current = sts.status?.currentRevision ?? update;
  const partition = effectivePartition(sts);
  const kept = pods.filter((p) => p.ordinal < replicas);
  const scaledDown = pods.filter((p) => p.ordinal >= replicas).map((p) => p.ordinal);
  const missing = [...Array(replicas).keys()].filter((i) => !kept.some((p) => p.ordinal === i));
  const create = missing.map((ordinal) => ({ ordinal, revision: ordinal >= partition ? update : current }));
  const settled = missing.length === 0 && scaledDown.length === 0 && kept.every((p) => p.ready);
  const outdated = kept.filter((p) => p.ordinal >= partition && p.revision !== update).sort((a, b) => b.ordinal - a.ordinal)[0];
  const replaced = settled && outdated ? [outdated.ordinal] : [];
  const after = [...kept.filter((p) => !replaced.includes(p.ordinal)), ...create.map((c) => ({ ...c, ready: false }))];
  return { delete: [...scaledDown, ...replaced], create, status: statusOf(sts, after, current, update) };
}

function statusOf(sts: V1StatefulSet, pods: readonly Pick<PodView, 'revision' | 'ready'>[], current: string, update: string): V1StatefulSetStatus {
  const replicas = sts.spec?.replicas ?? 1;
  const ready = pods.filter((p) => p.ready).length;
  const updated = pods.filter((p) => p.revision === update).length;
  const rolled = updated === replicas && ready === replicas && pods.length === replicas;
  return {
    observedGeneration: sts.metadata?.generation ?? 0,
    replicas: pods.length,
    readyReplicas: ready,
    availableReplicas: ready,
    currentReplicas: rolled ? updated : pods.filter((p) => p.revision === current).length,
    updatedReplicas: updated,
    currentRevision: rolled ? update : current,
    updateRevision: update,
    collisionCount: 0,
  };
}

/** The pod of `ordinal` at `revision`, as the StatefulSet controller makes it from the template. */
export function podFor(sts: V1StatefulSet, ordinal: number, revision: string, readyAt: number | undefined): V1Pod {
  const owner = { name: sts.metadata?.name ?? '', namespace: sts.metadata?.namespace ?? '', uid: sts.metadata?.uid ?? '' };
  const name = `${owner.name}-${ordinal}`;
  const template = sts.spec?.template ?? {};
  const ready = readyAt === undefined ? {} : { [READY_AT]: String(readyAt) };
  return {
    metadata: {
      name,
      namespace: owner.namespace,
      labels: { ...template.metadata?.labels, [REVISION_HASH]: revision, [POD_NAME]: name },
      annotations: { ...template.metadata?.annotations, ...ready },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner.name, uid: owner.uid, controller: true }],
    },
    spec: { containers: [], ...template.spec, hostname: name, ...(sts.spec?.serviceName ? { subdomain: sts.spec.serviceName } : {}) },
  };
}

/** A Pod object as the plan sees it. */
export function podView(pod: V1Pod): PodView | undefined {
  const name = pod.metadata?.name ?? '';
  const ordinal = Number(name.slice(name.lastIndexOf('-') + 1));
  if (!Number.isInteger(ordinal) || pod.metadata?.deletionTimestamp) return undefined;
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
  const readyAt = Number(pod.metadata?.annotations?.[READY_AT]);
  return { ordinal, revision: pod.metadata?.labels?.[REVISION_HASH] ?? '', ready, ...(Number.isFinite(readyAt) ? { readyAt } : {}) };
}

/** A podinfo-like StatefulSet of `replicas` pods selected by `app: <name>`, port 9898, governed by the headless Service `<name>-headless`. */
export function podinfoStatefulSet(name: string, replicas = 4, image = 'ghcr.io/stefanprodan/podinfo:6.5.0'): V1StatefulSet {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      serviceName: `${name}-headless`,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'podinfo', image, ports: [{ name: 'http', containerPort: 9898 }] }] },
      },
    },
  };
}

/** Read, change, replace a StatefulSet; retried on a conflict (the stand-in writes status meanwhile). */
export function updateStatefulSetWithRetry(apps: AppsV1Api, namespace: string, name: string, mutate: (sts: V1StatefulSet) => void): Promise<void> {
  return replaceWithRetry(
    () => apps.readNamespacedStatefulSet({ name, namespace }),
    (body) => apps.replaceNamespacedStatefulSet({ name, namespace, body }),
    mutate,
  );
}
