import type { KubernetesObject } from '@kubernetes/client-node';
import type { AutoscalerObject } from '../../kube/cache.js';

export type { AutoscalerObject } from '../../kube/cache.js';
import type { AutoscalerKind, AutoscalerRef } from '../../api/types.gen.js';
import type { KubeClients } from '../../kube/client.js';
import { customObjects } from '../../kube/collections.js';
import { orMissing } from '../../kube/errors.js';
import type { Collection } from '../../kube/informer.js';

/** The calls flowshift makes on one kind of autoscaler, through client-node's API for it. */
export interface AutoscalerApi {
  readonly kind: AutoscalerKind;
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  /** Installed by a CRD (KEDA): whether the API server serves it is asked by discovery first, and the fix is to install it. */
  readonly crd?: { readonly install: string };
  read(namespace: string, name: string): Promise<AutoscalerObject | undefined>;
  create(namespace: string, body: AutoscalerObject): Promise<void>;
  replace(namespace: string, name: string, body: AutoscalerObject): Promise<void>;
  /** A merge patch (the clients' writes are merge patches). */
  patch(namespace: string, name: string, body: object): Promise<void>;
  /** The objects of one namespace (all when undefined), for an informer. */
  collection(namespace: string | undefined): Collection<KubernetesObject>;
}

/** client-node's typed HorizontalPodAutoscaler as the JSON it stands for. */
const asObject = (hpa: unknown): AutoscalerObject => hpa as AutoscalerObject;

function horizontalPodAutoscalers(clients: KubeClients): AutoscalerApi {
  const api = clients.autoscaling;
  return {
    kind: 'HorizontalPodAutoscaler',
    group: 'autoscaling',
    version: 'v2',
    plural: 'horizontalpodautoscalers',
    read: (namespace, name) => orMissing(api.readNamespacedHorizontalPodAutoscaler({ namespace, name }).then(asObject)),
    create: async (namespace, body) => {
      await api.createNamespacedHorizontalPodAutoscaler({ namespace, body: body as never });
    },
    replace: async (namespace, name, body) => {
      await api.replaceNamespacedHorizontalPodAutoscaler({ namespace, name, body: body as never });
    },
    patch: async (namespace, name, body) => {
      await api.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body });
    },
    collection: (namespace) => ({
      path: `/apis/autoscaling/v2${namespace ? `/namespaces/${namespace}` : ''}/horizontalpodautoscalers`,
      list: async (query) =>
        namespace
          ? await api.listNamespacedHorizontalPodAutoscaler({ namespace, ...query })
          : await api.listHorizontalPodAutoscalerForAllNamespaces(query),
    }),
  };
}

const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' } as const;

function scaledObjects(clients: KubeClients): AutoscalerApi {
  const api = clients.custom;
  // Custom objects come back as the API server's JSON; client-node types them as `any`.
  return {
    kind: 'ScaledObject',
    ...KEDA,
    crd: { install: 'install KEDA (https://keda.sh/docs/latest/deploy/), or remove spec.autoscalerRef' },
    read: (namespace, name) => orMissing(api.getNamespacedCustomObject({ ...KEDA, namespace, name }) as Promise<AutoscalerObject>),
    create: async (namespace, body) => {
      await api.createNamespacedCustomObject({ ...KEDA, namespace, body });
    },
    replace: async (namespace, name, body) => {
      await api.replaceNamespacedCustomObject({ ...KEDA, namespace, name, body });
    },
    patch: async (namespace, name, body) => {
      await api.patchNamespacedCustomObject({ ...KEDA, namespace, name, body });
    },
    collection: (namespace) => customObjects(clients, KEDA, namespace),
  };
}

/** One API per kind spec.autoscalerRef may name: the compiler checks every AutoscalerKind has one. */
export function autoscalerApis(clients: KubeClients): Readonly<Record<AutoscalerKind, AutoscalerApi>> {
  return { HorizontalPodAutoscaler: horizontalPodAutoscalers(clients), ScaledObject: scaledObjects(clients) };
}

export function apiVersionOf(api: Pick<AutoscalerApi, 'group' | 'version'>): string {
  return `${api.group}/${api.version}`;
}

/** The kind's words in messages: "HorizontalPodAutoscaler shop/web". */
export function describeRef(ref: AutoscalerRef, namespace: string): string {
  return `${ref.kind} ${namespace}/${ref.name}`;
}
