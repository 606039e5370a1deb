import type { AppsV1Api, V1Deployment } from '@kubernetes/client-node';
import { statusCode } from './crds.js';

/** Read, change, replace a Deployment; retried on a conflict (the kubelet stand-in writes status meanwhile). */
export function updateWithRetry(apps: AppsV1Api, namespace: string, name: string, mutate: (d: V1Deployment) => void): Promise<void> {
  return replaceWithRetry(
    () => apps.readNamespacedDeployment({ name, namespace }),
    (body) => apps.replaceNamespacedDeployment({ name, namespace, body }),
    mutate,
  );
}

/** Read, change, replace an object; retried on a conflict. */
export async function replaceWithRetry<T>(read: () => Promise<T>, replace: (body: T) => Promise<unknown>, mutate: (o: T) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const o = await read();
    mutate(o);
    try {
      await replace(o);
      return;
    } catch (err) {
      if (statusCode(err) !== 409 || attempt >= 10) throw err;
    }
  }
}

/** A podinfo-like Deployment selected by `app: <name>`, 2 replicas, port 9898. */
export function podinfo(name: string, image = 'ghcr.io/stefanprodan/podinfo:6.5.0', annotations: Record<string, string> = {}): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, annotations },
        spec: { containers: [{ name: 'podinfo', image, ports: [{ name: 'http', containerPort: 9898 }] }] },
      },
    },
  };
}
