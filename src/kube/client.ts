import { readFileSync } from 'node:fs';
import type * as https from 'node:https';
import {
  ApisApi,
  AppsV1Api,
  AutoscalingV2Api,
  AuthenticationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  VersionApi,
  Watch,
  KubeConfig,
  createConfiguration,
  type Middleware,
  type RequestContext,
  type SecurityAuthentication,
} from '@kubernetes/client-node';
import { FLOWSHIFT_VERSION } from '../version.js';
import { DispatcherPool, type Traffic } from './dispatchers.js';
import { NO_EXTRAS, type LoadedKubeConfig, type UserExtras } from './kubeconfig.js';
import { observedHttpLibrary, type RequestObserver } from './transport.js';

export type { RequestObserver } from './transport.js';

/** Every request says who sends it, so the API server's audit log and metrics can tell flowshift's requests apart. */
export const USER_AGENT = `flowshift/${FLOWSHIFT_VERSION}`;
/** Every write names flowshift as its manager, so managedFields show which fields flowshift set. */
export const FIELD_MANAGER = 'flowshift';
/** kubectl's re-read period of a token file (client-go: one minute). */
const TOKEN_FILE_REREAD_MS = 60_000;

const WRITES = new Set(['POST', 'PUT', 'PATCH']);

export interface KubeClientOptions {
  /** Told of every request and watch, with its answer's status. */
  readonly onRequest?: RequestObserver;
  /** How long a token file's content is used before it is read again. */
  readonly tokenFileRereadMs?: number;
}

/**
 * The cluster connection: client-node's typed APIs and Watch over one
 * kubeconfig, with what client-node 2.0 leaves out, in one place:
 * - one pooled, capped dispatcher per kind of traffic (dispatchers.ts);
 * - `User-Agent: flowshift/<version>` on every request and watch,
 *   `fieldManager=flowshift` on every write, and a merge patch for every
 *   PATCH (CRDs take no strategic merge patch, and client-node would send
 *   a JSON patch);
 * - kubectl's `tokenFile` (re-read) and impersonation of groups, uid and
 *   extras (kubeconfig.ts);
 * - a deadline per request, 429 answered after Retry-After, and every answer
 *   counted (transport.ts).
 */
export class KubeClients {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  /** The HorizontalPodAutoscalers of spec.autoscalerRef and the primary's copies. */
  readonly autoscaling: AutoscalingV2Api;
  readonly custom: CustomObjectsApi;
  /** Any kind by apiVersion and kind (lint's server-side dry-run). */
  readonly objects: KubernetesObjectApi;
  readonly apis: ApisApi;
  readonly version: VersionApi;
  readonly authentication: AuthenticationV1Api;
  /** What client-node's Watch reads of its KubeConfig (the current cluster and the authentication), with flowshift's authentication. */
  private readonly watchConfig: KubeConfig;
  private readonly pool = new DispatcherPool();
  private readonly extras: UserExtras;
  private readonly observe: RequestObserver;
  private readonly tokenFileRereadMs: number;
  private token: { readonly value: string; readonly at: number } | undefined;

  /** `loaded` from loadKubeConfig, or a KubeConfig made otherwise (tests, the kubelet stand-in): client-node's settings only. */
  constructor(loaded: LoadedKubeConfig | KubeConfig, options: KubeClientOptions = {}) {
    ({ kubeConfig: this.kubeConfig, extras: this.extras } = loaded instanceof KubeConfig ? { kubeConfig: loaded, extras: NO_EXTRAS } : loaded);
    this.observe = options.onRequest ?? ((): void => undefined);
    this.tokenFileRereadMs = options.tokenFileRereadMs ?? TOKEN_FILE_REREAD_MS;
    const server = this.kubeConfig.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster: set a context, or pass --kubeconfig');
    const auth: SecurityAuthentication = { getName: () => 'flowshift', applySecurityAuthentication: (context) => this.authenticate(context, 'requests') };
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(server, {}),
      authMethods: { default: auth },
      httpApi: observedHttpLibrary(this.observe),
      promiseMiddleware: [writeMiddleware],
    });
    this.core = new CoreV1Api(configuration);
    this.apps = new AppsV1Api(configuration);
    this.autoscaling = new AutoscalingV2Api(configuration);
    this.custom = new CustomObjectsApi(configuration);
    this.objects = new KubernetesObjectApi(configuration);
    this.apis = new ApisApi(configuration);
    this.version = new VersionApi(configuration);
    this.authentication = new AuthenticationV1Api(configuration);
    // client-node's Watch reads only the current cluster and this authentication from its KubeConfig.
    this.watchConfig = Object.create(this.kubeConfig, {
      applySecurityAuthentication: { value: (context: RequestContext) => this.authenticate(context, 'watches') },
    }) as KubeConfig;
  }

  /**
   * Opens a watch through client-node's Watch; resolves with its controller
   * once the server answered. `idleMs` is the inactivity timeout: set it above
   * the server's own watch timeout, and ask for bookmarks, so a quiet watch is
   * kept rather than reopened.
   */
  async watch(
    path: string,
    query: Readonly<Record<string, string | number | boolean | undefined>>,
    idleMs: number,
    onEvent: (type: string, object: Record<string, unknown>) => void,
    onDone: (err: unknown) => void,
  ): Promise<AbortController> {
    let failed: unknown;
    const watch = new Watch(this.watchConfig);
    // requestTimeoutMs is the inactivity timeout (30 s by default); client-node's typings mark it private, its code reads it per reset.
    Object.assign(watch, { requestTimeoutMs: idleMs });
    const controller = await watch.watch(path, { ...query }, (type: string, object: Record<string, unknown>) => onEvent(type, object), (err: unknown) => {
      // Called before watch() returns when the watch could not be opened: that failure is its answer.
      if (err && failed === undefined) failed = err;
      onDone(err ?? undefined);
    });
    this.observe('WATCH', failed === undefined ? '200' : statusOf(failed));
    return controller;
  }

  /** Closes the connection pools (at shutdown). */
  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * client-node's credentials (token, exec plugin, OIDC, client certificate,
   * `as`) applied to the request's headers, then flowshift's additions and
   * the pooled dispatcher. applyToHTTPSOptions is used rather than
   * applySecurityAuthentication so the TLS material it reads (files re-read
   * each time, exec plugins' certificates included) picks the pool.
   */
  private async authenticate(context: RequestContext, traffic: Traffic): Promise<void> {
    const options: https.RequestOptions = {};
    await this.kubeConfig.applyToHTTPSOptions(options);
    for (const [name, value] of Object.entries(options.headers ?? {})) if (value !== undefined) context.setHeaderParam(name, String(value));
    if (options.auth) context.setHeaderParam('Authorization', `Basic ${Buffer.from(options.auth).toString('base64')}`);
    const token = this.fileToken();
    if (token) context.setHeaderParam('Authorization', `Bearer ${token}`);
    this.impersonate(context);
    context.setHeaderParam('User-Agent', USER_AGENT);
    const tls: https.AgentOptions = {
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.cert === undefined ? {} : { cert: options.cert }),
      ...(options.key === undefined ? {} : { key: options.key }),
      ...(options.pfx === undefined ? {} : { pfx: options.pfx }),
      ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
      ...(options.rejectUnauthorized === undefined ? {} : { rejectUnauthorized: options.rejectUnauthorized }),
      ...(options.servername === undefined ? {} : { servername: options.servername }),
    };
    const dispatcherOptions = this.kubeConfig.createDispatcherOptions(this.kubeConfig.getCurrentCluster(), tls);
    // client-node's SOCKS connector is not exported: client-node makes that dispatcher, and the pool keeps the first while the options stay.
    if (dispatcherOptions.type === 'socks') await this.kubeConfig.applySecurityAuthentication(context);
    const dispatcher = this.pool.dispatcher(traffic, dispatcherOptions, context.getDispatcher());
    if (dispatcher) context.setDispatcher(dispatcher);
  }

  private fileToken(): string | undefined {
    const file = this.extras.tokenFile;
    if (!file) return undefined;
    if (!this.token || Date.now() - this.token.at > this.tokenFileRereadMs) this.token = { value: readFileSync(file, 'utf8').trim(), at: Date.now() };
    return this.token.value;
  }

  private impersonate(context: RequestContext): void {
    const { impersonateUid, impersonateGroups, impersonateExtra } = this.extras;
    // One value each: loadKubeConfig refuses more (fetch cannot repeat a header).
    for (const group of impersonateGroups) context.setHeaderParam('Impersonate-Group', group);
    if (impersonateUid) context.setHeaderParam('Impersonate-Uid', impersonateUid);
    for (const [key, values] of Object.entries(impersonateExtra)) for (const value of values) context.setHeaderParam(`Impersonate-Extra-${encodeURIComponent(key)}`, value);
  }
}

const writeMiddleware: Middleware = {
  pre: (context) => {
    const method: string = context.getHttpMethod();
    if (WRITES.has(method)) context.setQueryParam('fieldManager', FIELD_MANAGER);
    if (method === 'PATCH') context.setHeaderParam('Content-Type', PatchStrategy.MergePatch);
    return Promise.resolve(context);
  },
  post: (context) => Promise.resolve(context),
};

function statusOf(err: unknown): string {
  const code = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? String(code) : 'error';
}
