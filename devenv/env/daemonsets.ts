import type { AppsV1Api, V1DaemonSet, V1DaemonSetStatus, V1PodTemplateSpec } from '@kubernetes/client-node';
import { replaceWithRetry } from './deployments.js';
import type { Converging, Since, StandInKind } from './kubelet.js';

/**
 * The nodes of the test cluster, as the DaemonSet controller would schedule
 * onto them. The API server runs no kubelet, so there are no Node objects:
 * the stand-in matches a template's nodeSelector against these labels.
 */
export const FAKE_NODES: readonly Readonly<Record<string, string>>[] = [1, 2, 3].map((i) => ({ 'kubernetes.io/hostname': `node-${i}`, 'kubernetes.io/os': 'linux' }));

/** The nodes a template's nodeSelector lets its pods run on (affinity and taints are not modelled). */
export function scheduledNodes(template: V1PodTemplateSpec | undefined): number {
  const selector = Object.entries(template?.spec?.nodeSelector ?? {});
  return FAKE_NODES.filter((labels) => selector.every(([k, v]) => labels[k] === v)).length;
}

/**
 * The status the DaemonSet controller and the kubelets write as a generation
 * rolls out (RollingUpdate, maxUnavailable 1): nodes that get their first pod
 * get it at once, ready `readyAfterMs` later; nodes that ran a pod of the
 * previous generation (`since.before`) have it replaced one node at a time,
 * each new pod ready `readyAfterMs` after its node's turn. Pods kept unready
 * stall the roll on its first node, as a real one would. Exported for unit tests.
 */
export function daemonSetRollout(ds: V1DaemonSet, since: Since, pods: { readonly readyAfterMs: number; readonly unready: boolean }, now: number): Converging<V1DaemonSetStatus> {
  const desired = scheduledNodes(ds.spec?.template);
  const replaced = Math.min(since.before, desired);
  const fresh = desired - replaced;
  const elapsed = now - since.at;
  const step = Math.max(pods.readyAfterMs, 1);
  // Replacements finished (their new pods ready), and the one under way.
  const done = pods.unready ? 0 : Math.min(Math.floor(elapsed / step), replaced);
  const underWay = done < replaced ? 1 : 0;
  const freshReady = !pods.unready && elapsed >= pods.readyAfterMs ? fresh : 0;
  const available = freshReady + done + (replaced - done - underWay);
  const status: V1DaemonSetStatus = {
    observedGeneration: ds.metadata?.generation ?? 0,
    desiredNumberScheduled: desired,
    currentNumberScheduled: desired,
    updatedNumberScheduled: fresh + done + underWay,
    numberReady: available,
    numberAvailable: available,
    numberMisscheduled: 0,
    // Written even when 0: the status is merge-patched, and a stale count would stay.
    numberUnavailable: desired - available,
  };
  const converged = available === desired && status.updatedNumberScheduled === desired;
  const nextAt = converged || pods.unready ? undefined : since.at + (freshReady < fresh ? pods.readyAfterMs : (done + 1) * step);
  return { status, nextAt };
}

const COUNTS = ['observedGeneration', 'desiredNumberScheduled', 'currentNumberScheduled', 'updatedNumberScheduled', 'numberReady', 'numberAvailable', 'numberUnavailable'] as const;

export const daemonSetKind: StandInKind<V1DaemonSet, V1DaemonSetStatus> = {
  path: '/apis/apps/v1/daemonsets',
  list: (clients) => clients.apps.listDaemonSetForAllNamespaces(),
  // The nodes the previous generation ran on, as its status said when the new one arrived.
  before: (ds) => ds.status?.desiredNumberScheduled ?? 0,
  converge: daemonSetRollout,
  same: (current, desired) => current !== undefined && COUNTS.every((k) => (current[k] ?? 0) === (desired[k] ?? 0)),
  current: (ds) => ds.status,
  writeStatus: (clients, name, namespace, status) => clients.apps.patchNamespacedDaemonSetStatus({ name, namespace, body: { status } }),
};

/** A podinfo-like DaemonSet selected by `app: <name>`, port 9898: a node agent with a Service in front. */
export function podinfoDaemonSet(name: string, image = 'ghcr.io/stefanprodan/podinfo:6.5.0'): V1DaemonSet {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'podinfo', image, ports: [{ name: 'http', containerPort: 9898 }] }] },
      },
    },
  };
}

/** Read, change, replace a DaemonSet; retried on a conflict (the kubelet stand-in writes status meanwhile). */
export function updateDaemonSetWithRetry(apps: AppsV1Api, namespace: string, name: string, mutate: (ds: V1DaemonSet) => void): Promise<void> {
  return replaceWithRetry(
    () => apps.readNamespacedDaemonSet({ name, namespace }),
    (body) => apps.replaceNamespacedDaemonSet({ name, namespace, body }),
    mutate,
  );
}
