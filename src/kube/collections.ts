import type { CoreV1Event, KubernetesObject, V1ConfigMap, V1DaemonSet, V1Deployment, V1Secret, V1StatefulSet } from '@kubernetes/client-node';
import type { KubeClients } from './client.js';
import type { Collection, ListQuery, Listed } from './informer.js';

/** The collections flowshift's informers keep, each listed through client-node's typed API for its kind. */

interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** Custom objects (Rollouts, VirtualServices, HTTPRoutes) in one namespace, or in all when it is undefined. */
export function customObjects(clients: KubeClients, kind: CustomKind, namespace: string | undefined): Collection<KubernetesObject> {
  const { group, version, plural } = kind;
  return {
    path: `/apis/${group}/${version}${namespace ? `/namespaces/${namespace}` : ''}/${plural}`,
    // Custom objects come back as the API server's JSON; client-node types them as `any`.
    list: async (query: ListQuery) =>
      (namespace
        ? await clients.custom.listNamespacedCustomObject({ group, version, plural, namespace, ...query })
        : await clients.custom.listClusterCustomObject({ group, version, plural, ...query })) as Listed<KubernetesObject>,
  };
}

export function deployments(clients: KubeClients, namespace: string | undefined): Collection<V1Deployment> {
  return {
    path: `/apis/apps/v1${namespace ? `/namespaces/${namespace}` : ''}/deployments`,
    list: (query: ListQuery) => (namespace ? clients.apps.listNamespacedDeployment({ namespace, ...query }) : clients.apps.listDeploymentForAllNamespaces(query)),
  };
}

export function daemonSets(clients: KubeClients, namespace: string | undefined): Collection<V1DaemonSet> {
  return {
    path: `/apis/apps/v1${namespace ? `/namespaces/${namespace}` : ''}/daemonsets`,
    list: (query: ListQuery) => (namespace ? clients.apps.listNamespacedDaemonSet({ namespace, ...query }) : clients.apps.listDaemonSetForAllNamespaces(query)),
  };
}

export function statefulSets(clients: KubeClients, namespace: string | undefined): Collection<V1StatefulSet> {
  return {
    path: `/apis/apps/v1${namespace ? `/namespaces/${namespace}` : ''}/statefulsets`,
    list: (query: ListQuery) => (namespace ? clients.apps.listNamespacedStatefulSet({ namespace, ...query }) : clients.apps.listStatefulSetForAllNamespaces(query)),
  };
}

export function configMaps(clients: KubeClients, namespace: string): Collection<V1ConfigMap> {
  return { path: `/api/v1/namespaces/${namespace}/configmaps`, list: (query: ListQuery) => clients.core.listNamespacedConfigMap({ namespace, ...query }) };
}

export function secrets(clients: KubeClients, namespace: string): Collection<V1Secret> {
  return { path: `/api/v1/namespaces/${namespace}/secrets`, list: (query: ListQuery) => clients.core.listNamespacedSecret({ namespace, ...query }) };
}

/** Events in one namespace, or in all when it is undefined (select a kind with a field selector). */
export function events(clients: KubeClients, namespace: string | undefined): Collection<CoreV1Event> {
  return {
    path: `/api/v1${namespace ? `/namespaces/${namespace}` : ''}/events`,
    list: (query: ListQuery) => (namespace ? clients.core.listNamespacedEvent({ namespace, ...query }) : clients.core.listEventForAllNamespaces(query)),
  };
}
