import type {
  CoreV1Event,
  V1APIGroupList,
  V1ConfigMap,
  V1Deployment,
  V1DeploymentList,
  V1Secret,
  V1SelfSubjectReview,
  V1Service,
  VersionInfo,
} from '@kubernetes/client-node';
import { KubeHttp, type KubeEndpoint, type RequestObserver } from './http.js';

export type { RequestObserver } from './http.js';

/** A list as the API server answers it. */
export interface KubeList<T> {
  readonly metadata?: { readonly resourceVersion?: string; readonly continue?: string };
  readonly items: T[];
}

/**
 * A merge patch (RFC 7386): every patch flowshift sends is one. CRDs accept
 * no strategic merge patch, and one kind of patch for every object keeps the
 * writes easy to read.
 */
export const MERGE_PATCH = 'application/merge-patch+json';

/**
 * The API calls flowshift makes, grouped as client-node groups them and with
 * its parameter names, over one KubeHttp. Objects are the API server's JSON:
 * where client-node's types say Date, the value is the RFC 3339 string.
 */
export class KubeClients {
  readonly http: KubeHttp;
  readonly core: CoreApi;
  readonly apps: AppsApi;
  readonly custom: CustomObjectsApi;
  readonly discovery: DiscoveryApi;

  constructor(endpoint: KubeEndpoint, onRequest?: RequestObserver) {
    this.http = new KubeHttp(endpoint, onRequest);
    this.core = new CoreApi(this.http);
    this.apps = new AppsApi(this.http);
    this.custom = new CustomObjectsApi(this.http);
    this.discovery = new DiscoveryApi(this.http);
  }
}

interface Named {
  readonly name: string;
  readonly namespace: string;
}
interface Listed {
  readonly namespace: string;
  readonly fieldSelector?: string;
  readonly labelSelector?: string;
}
interface Created<T> {
  readonly namespace: string;
  readonly body: T;
}
interface Replaced<T> extends Named {
  readonly body: T;
}
interface Patched extends Named {
  readonly body: object;
}

const ns = (namespace: string): string => `/namespaces/${encodeURIComponent(namespace)}`;
const at = (name: string): string => `/${encodeURIComponent(name)}`;
const selectors = (p: { fieldSelector?: string; labelSelector?: string }): Record<string, string | undefined> => ({ fieldSelector: p.fieldSelector, labelSelector: p.labelSelector });

/** get/list/create/replace/merge-patch of one kind under one API prefix. */
class Kind<T> {
  constructor(
    private readonly http: KubeHttp,
    private readonly prefix: string,
    private readonly plural: string,
  ) {}

  read = (p: Named): Promise<T> => this.http.request('GET', `${this.prefix}${ns(p.namespace)}/${this.plural}${at(p.name)}`);
  list = (p: Listed): Promise<KubeList<T>> => this.http.request('GET', `${this.prefix}${ns(p.namespace)}/${this.plural}`, { query: selectors(p) });
  listAll = (p: { fieldSelector?: string; labelSelector?: string } = {}): Promise<KubeList<T>> =>
    this.http.request('GET', `${this.prefix}/${this.plural}`, { query: selectors(p) });
  create = (p: Created<object>): Promise<T> => this.http.request('POST', `${this.prefix}${ns(p.namespace)}/${this.plural}`, { body: p.body });
  replace = (p: Replaced<T>): Promise<T> => this.http.request('PUT', `${this.prefix}${ns(p.namespace)}/${this.plural}${at(p.name)}`, { body: p.body });
  patch = (p: Patched): Promise<T> =>
    this.http.request('PATCH', `${this.prefix}${ns(p.namespace)}/${this.plural}${at(p.name)}`, { body: p.body, contentType: MERGE_PATCH });
}

export class CoreApi {
  private readonly secrets: Kind<V1Secret>;
  private readonly configMaps: Kind<V1ConfigMap>;
  private readonly services: Kind<V1Service>;
  private readonly events: Kind<CoreV1Event>;

  constructor(http: KubeHttp) {
    this.secrets = new Kind(http, '/api/v1', 'secrets');
    this.configMaps = new Kind(http, '/api/v1', 'configmaps');
    this.services = new Kind(http, '/api/v1', 'services');
    this.events = new Kind(http, '/api/v1', 'events');
  }

  readNamespacedSecret = (p: Named): Promise<V1Secret> => this.secrets.read(p);
  listNamespacedSecret = (p: Listed): Promise<KubeList<V1Secret>> => this.secrets.list(p);
  createNamespacedSecret = (p: Created<V1Secret>): Promise<V1Secret> => this.secrets.create(p);
  replaceNamespacedSecret = (p: Replaced<V1Secret>): Promise<V1Secret> => this.secrets.replace(p);
  readNamespacedConfigMap = (p: Named): Promise<V1ConfigMap> => this.configMaps.read(p);
  listNamespacedConfigMap = (p: Listed): Promise<KubeList<V1ConfigMap>> => this.configMaps.list(p);
  createNamespacedConfigMap = (p: Created<V1ConfigMap>): Promise<V1ConfigMap> => this.configMaps.create(p);
  replaceNamespacedConfigMap = (p: Replaced<V1ConfigMap>): Promise<V1ConfigMap> => this.configMaps.replace(p);
  readNamespacedService = (p: Named): Promise<V1Service> => this.services.read(p);
  createNamespacedService = (p: Created<V1Service>): Promise<V1Service> => this.services.create(p);
  patchNamespacedService = (p: Patched): Promise<V1Service> => this.services.patch(p);
  createNamespacedEvent = (p: Created<CoreV1Event>): Promise<CoreV1Event> => this.events.create(p);
  patchNamespacedEvent = (p: Patched): Promise<CoreV1Event> => this.events.patch(p);
}

export class AppsApi {
  private readonly deployments: Kind<V1Deployment>;

  constructor(http: KubeHttp) {
    this.deployments = new Kind(http, '/apis/apps/v1', 'deployments');
  }

  readNamespacedDeployment = (p: Named): Promise<V1Deployment> => this.deployments.read(p);
  listNamespacedDeployment = (p: Listed): Promise<V1DeploymentList> => this.deployments.list(p);
  listDeploymentForAllNamespaces = (): Promise<V1DeploymentList> => this.deployments.listAll();
  createNamespacedDeployment = (p: Created<V1Deployment>): Promise<V1Deployment> => this.deployments.create(p);
  replaceNamespacedDeployment = (p: Replaced<V1Deployment>): Promise<V1Deployment> => this.deployments.replace(p);
  patchNamespacedDeployment = (p: Patched): Promise<V1Deployment> => this.deployments.patch(p);
}

interface CustomKind {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

/** Custom objects (Rollouts, VirtualServices, HTTPRoutes, …) as plain JSON. */
export class CustomObjectsApi {
  /** One Kind per group/version/plural, made on first use. */
  private readonly kinds = new Map<string, Kind<unknown>>();

  constructor(private readonly http: KubeHttp) {}

  getNamespacedCustomObject = (p: CustomKind & Named): Promise<unknown> => this.kind(p).read(p);
  listNamespacedCustomObject = (p: CustomKind & Listed): Promise<KubeList<unknown>> => this.kind(p).list(p);
  listClusterCustomObject = (p: CustomKind & { labelSelector?: string; fieldSelector?: string }): Promise<KubeList<unknown>> => this.kind(p).listAll(p);
  createNamespacedCustomObject = (p: CustomKind & Created<object>): Promise<unknown> => this.kind(p).create(p);
  patchNamespacedCustomObject = (p: CustomKind & Patched): Promise<unknown> => this.kind(p).patch(p);
  /** A merge patch of the status subresource. */
  patchNamespacedCustomObjectStatus = (p: CustomKind & Patched): Promise<unknown> =>
    this.http.request('PATCH', `/apis/${p.group}/${p.version}${ns(p.namespace)}/${p.plural}${at(p.name)}/status`, { body: p.body, contentType: MERGE_PATCH });

  private kind(p: CustomKind): Kind<unknown> {
    const prefix = `/apis/${p.group}/${p.version}`;
    const key = `${prefix}/${p.plural}`;
    let kind = this.kinds.get(key);
    if (!kind) this.kinds.set(key, (kind = new Kind(this.http, prefix, p.plural)));
    return kind;
  }
}

export class DiscoveryApi {
  constructor(private readonly http: KubeHttp) {}

  /** The API groups the server serves (GET /apis). */
  getAPIVersions = (): Promise<V1APIGroupList> => this.http.request('GET', '/apis');
  /** The server's version (GET /version). */
  getCode = (): Promise<VersionInfo> => this.http.request('GET', '/version');
  /** Who the API server takes the caller for (authentication.k8s.io/v1, Kubernetes 1.28+). */
  createSelfSubjectReview = (): Promise<V1SelfSubjectReview> =>
    this.http.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
}
