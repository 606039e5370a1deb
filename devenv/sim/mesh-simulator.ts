import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { renderIstioMetrics, workloadIdentities, type WorkloadIdentity } from './exposition.js';
import { renderAppMetrics, renderContourMetrics } from './exposition-extra.js';
import { HTTP_ROUTES, RoutePoller, VIRTUAL_SERVICES } from './route-poller.js';
import { TrafficModel, type VersionBehaviour, type VersionBehaviourUpdate } from './traffic-model.js';
import { ALL_PRIMARY, splitOf, splitOfHttpRoute, VERSIONS, type TrafficSplit, type Version } from './traffic-split.js';

export { Version } from './traffic-split.js';
export type { TrafficSplit } from './traffic-split.js';
export type { VersionBehaviour, VersionBehaviourUpdate } from './traffic-model.js';

export interface MeshSimulatorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The Rollout's target: the canary workload; the primary is `<target>-primary`. */
  readonly target: string;
  /** The apex service and VirtualService name; default: target. */
  readonly service?: string;
  /** A StatefulSet target: both versions report `destination_workload` `<target>`, told apart only by `destination_service_name`. */
  readonly oneWorkload?: boolean;
  /**
   * The route object to follow: the VirtualService `<service>` by default; an
   * HTTPRoute for provider gatewayapi; or a user's VirtualService, of which
   * only the HTTP route named `route` carries this service's traffic.
   */
  readonly routes?: { readonly kind: 'VirtualService' | 'HTTPRoute'; readonly name?: string; readonly route?: string };
  /** Share of requests (0..1) carrying the A/B header or affinity cookie; default 0. */
  readonly matchedShare?: number;
  /** The path label of the application's own latency histogram; default /api/info. */
  readonly path?: string;
  /** Requests per second reaching the service; default 100. */
  readonly requestsPerSecond?: number;
  readonly primary?: VersionBehaviourUpdate;
  readonly canary?: VersionBehaviourUpdate;
  /** Listen address; default 127.0.0.1, port 0 (any free port). */
  readonly host?: string;
  readonly port?: number;
  /** How often the VirtualService is read; default 250 ms. */
  readonly pollIntervalMs?: number;
  /** Histogram bounds in ms; default: a fine geometric series (see defaultLatencyBuckets). */
  readonly buckets?: readonly number[];
  /** Milliseconds clock, for tests; Date.now by default. */
  readonly now?: () => number;
}

export const METRICS_PATH = '/metrics';

/**
 * A stand-in for the Envoy data plane of one service: it splits a request
 * rate over the primary and canary workloads by the live VirtualService's
 * weights (plus mirrored copies, as Envoy sends them) and serves Istio's
 * destination metrics for Prometheus to scrape. Each version's error rate and
 * latency can be changed while it runs.
 */
export class MeshSimulator {
  private readonly model: TrafficModel;
  private readonly poller: RoutePoller;
  private readonly server: Server;
  private readonly identities: Record<Version, WorkloadIdentity>;
  private readonly path: string;

  private constructor(options: MeshSimulatorOptions) {
    const service = options.service ?? options.target;
    this.model = new TrafficModel({
      ...(options.requestsPerSecond === undefined ? {} : { requestsPerSecond: options.requestsPerSecond }),
      ...(options.primary ? { primary: options.primary } : {}),
      ...(options.canary ? { canary: options.canary } : {}),
      ...(options.buckets ? { buckets: options.buckets } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    this.poller = routePoller(options, service, (split) => {
      this.model.setSplit(split);
    });
    this.identities = workloadIdentities(options.namespace, options.target, service, options.oneWorkload);
    this.path = options.path ?? '/api/info';
    this.server = createServer((req, res) => {
      this.handle(req, res);
    });
  }

  /** Starts serving metrics and following the route object (see `routes`) in `<namespace>`. */
  static async start(options: MeshSimulatorOptions): Promise<MeshSimulator> {
    const simulator = new MeshSimulator(options);
    await listen(simulator.server, options.host ?? '127.0.0.1', options.port ?? 0);
    await simulator.poller.start();
    return simulator;
  }

  /** host:port, the form a Prometheus scrape target takes. */
  get address(): string {
    const info = this.server.address();
    if (info === null || typeof info === 'string') throw new Error('the mesh simulator is not listening on a TCP port');
    return info.family === 'IPv6' ? `[${info.address}]:${info.port}` : `${info.address}:${info.port}`;
  }

  /** Base URL; metrics are at `${url}/metrics`. */
  get url(): string {
    return `http://${this.address}`;
  }

  /** Changes how a version answers from now on, e.g. `{ errorRate: 0.2 }` or `{ latencyMs: { p50: 60, p99: 300 } }`. */
  setVersion(version: Version, update: VersionBehaviourUpdate): void {
    this.model.setVersion(version, update);
  }

  behaviour(version: Version): VersionBehaviour {
    return this.model.behaviour(version);
  }

  /** Changes the request rate reaching the service (0: no traffic). */
  setRate(requestsPerSecond: number): void {
    this.model.setRate(requestsPerSecond);
  }

  /** The split currently applied (from the last read of the route object). */
  split(): TrafficSplit {
    return this.model.split();
  }

  /** Reads the route object now rather than at the next poll, and returns the split it gives. */
  async refreshRoutes(): Promise<TrafficSplit> {
    await this.poller.refresh();
    return this.model.split();
  }

  /**
   * The metrics a scrape would return now: Istio's destination metrics, the
   * application's own latency histogram, and Contour's (Envoy's) upstream
   * counters, as a Gateway API data plane exports them.
   */
  metrics(): string {
    const workloads = VERSIONS.map((version) => ({ identity: this.identities[version], counts: this.model.counts(version) }));
    return renderIstioMetrics(workloads) + renderAppMetrics(workloads, this.path) + renderContourMetrics(workloads);
  }

  /** Requests counted so far per version (live and mirrored). */
  totals(): Record<Version, number> {
    return { primary: this.model.counts('primary').total, canary: this.model.counts('canary').total };
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' || path !== METRICS_PATH) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`not found; metrics are at ${METRICS_PATH}\n`);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(this.metrics());
  }
}

/** Follows the route object `options.routes` names, turning each read into a split. */
function routePoller(options: MeshSimulatorOptions, service: string, onSplit: (split: TrafficSplit) => void): RoutePoller {
  const kind = options.routes?.kind ?? 'VirtualService';
  const read = { ...(options.routes?.route === undefined ? {} : { route: options.routes.route }), matchedShare: options.matchedShare ?? 0 };
  return new RoutePoller({
    kubeConfig: options.kubeConfig,
    resource: kind === 'HTTPRoute' ? HTTP_ROUTES : VIRTUAL_SERVICES,
    namespace: options.namespace,
    name: options.routes?.name ?? service,
    intervalMs: options.pollIntervalMs ?? 250,
    onRead: (object) => {
      if (object === undefined) onSplit(ALL_PRIMARY);
      else onSplit(kind === 'HTTPRoute' ? splitOfHttpRoute(object, service, read) : splitOf(object, service, read));
    },
  });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
